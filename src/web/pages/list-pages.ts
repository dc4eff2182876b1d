import type { BudgetCounter } from "../../store/types.js";
import type { ApiAnswer, ApiContext } from "../api/context.js";
import { listRuns } from "../api/runs.js";
import { BadRequest } from "../api/http.js";
import { usage } from "../api/usage.js";
import { type PageContext, filledQuery } from "./page-context.js";
import { type RunRow, runsPage } from "./runs-page.js";
import { type RepoBudget, type UsageReport, usagePage } from "./usage-page.js";

/** The runs list and the usage page: the API's answers, for the same person, as pages. */

/**
 * The API's answer for the filters; where they are not valid, its answer without them and the
 * reason, so the page says which to fix and still shows something.
 */
async function filtered(ctx: PageContext, read: (api: ApiContext) => Promise<ApiAnswer>, filters: Record<string, string>): Promise<{ answer: ApiAnswer; error?: string }> {
  try {
    return { answer: await read(ctx.api({}, filters)) };
  } catch (failure) {
    if (!(failure instanceof BadRequest)) throw failure;
    return { answer: await read(ctx.api({}, {})), error: failure.message };
  }
}

const RUN_FILTERS = ["repo", "task", "status", "actor", "since", "until", "cursor"] as const;

export async function runsListPage(ctx: PageContext): Promise<void> {
  const filters = filledQuery(ctx.url, RUN_FILTERS);
  const repositories = [...ctx.caller.readable].sort();
  const { answer, error } = await filtered(ctx, listRuns, filters);
  const body = answer.body as { runs: RunRow[]; nextCursor: string | null };
  ctx.page(200, "Runs", "runs", runsPage({ runs: body.runs, nextCursor: body.nextCursor, filters, repositories, ...(error ? { error } : {}) }));
}

const USAGE_FILTERS = ["repo", "since", "until"] as const;

function currentMonth(now = new Date()): string {
  return now.toISOString().slice(0, 7);
}

export async function usageReportPage(ctx: PageContext): Promise<void> {
  const filters = filledQuery(ctx.url, USAGE_FILTERS);
  const repositories = [...ctx.caller.readable].sort();
  const { answer, error } = await filtered(ctx, usage, filters);
  const report = answer.body as UsageReport;
  const month = currentMonth();
  const shown = filters.repo ? repositories.filter((repo) => repo === filters.repo!.toLowerCase()) : repositories;
  // The ledger's spend (summed without regard to case, as GitHub names match); the counter gives the limit.
  const spentThisMonth = new Map<string, number>();
  for (const row of report.byRepoMonth) if (row.month === month) spentThisMonth.set(row.repo, row.costMicros);
  const counters = shown.length ? await ctx.deps.store.budgetCounters(shown.map((repo) => `repo:${repo}:${month}`)) : new Map<string, BudgetCounter>();
  const budgets: RepoBudget[] = shown
    .map((repo) => {
      const counter = counters.get(`repo:${repo}:${month}`);
      return { repo, spentMicros: spentThisMonth.get(repo) ?? counter?.spentMicros ?? 0, ...(counter?.limitMicros !== undefined ? { limitMicros: counter.limitMicros } : {}) };
    })
    .filter((budget) => budget.spentMicros > 0 || budget.limitMicros !== undefined);
  ctx.page(200, "Usage", "usage", usagePage({ report, month, budgets, defaultRepoBudgetMicros: ctx.deps.defaultRepoBudgetMicros, filters, repositories, ...(error ? { error } : {}) }));
}
