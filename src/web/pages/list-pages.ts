import type { BudgetCounter } from "../../store/types.js";
import { listRuns } from "../api/runs.js";
import { BadRequest } from "../api/http.js";
import { usage } from "../api/usage.js";
import { type PageContext, filledQuery } from "./page-context.js";
import { type RunRow, runsPage } from "./runs-page.js";
import { type RepoBudget, type UsageReport, usagePage } from "./usage-page.js";

/** The runs list and the usage page: the API's answers, for the same person, as pages. */

const RUN_FILTERS = ["repo", "task", "status", "actor", "since", "until", "cursor"] as const;

export async function runsListPage(ctx: PageContext): Promise<void> {
  const filters = filledQuery(ctx.url, RUN_FILTERS);
  const repositories = [...ctx.caller.readable].sort();
  let error: string | undefined;
  let answer;
  try {
    answer = await listRuns(ctx.api({}, filters));
  } catch (failure) {
    if (!(failure instanceof BadRequest)) throw failure;
    // The filters were not valid: say which, and show the newest runs instead.
    error = failure.message;
    answer = await listRuns(ctx.api({}, {}));
  }
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
  let error: string | undefined;
  let answer;
  try {
    answer = await usage(ctx.api({}, filters));
  } catch (failure) {
    if (!(failure instanceof BadRequest)) throw failure;
    error = failure.message;
    answer = await usage(ctx.api({}, {}));
  }
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
