import type { z } from "zod";
import type { usageReport } from "../api/schemas.js";
import { barChart } from "./chart.js";
import { type Html, html } from "./html.js";
import { count, notice, usd } from "./views.js";

/** Spend: by month, by repository against its budget this month, by task and by person. */

export type UsageReport = z.infer<typeof usageReport>;

export interface RepoBudget {
  repo: string;
  /** Spent this month, as the budget counter holds it (the ledger's sum where no counter exists yet). */
  spentMicros: number;
  /** The budget the latest model call was held to; absent where none was made this month. */
  limitMicros?: number;
}

export interface UsagePageInput {
  report: UsageReport;
  month: string;
  budgets: readonly RepoBudget[];
  /** The budget a repository that sets none has (BUDGET_DEFAULT_USD_PER_REPO_MONTH). */
  defaultRepoBudgetMicros: number;
  filters: Record<string, string>;
  repositories: readonly string[];
  error?: string;
}

const TOP = 12;

function byCost<T extends { costMicros: number }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => b.costMicros - a.costMicros);
}

export function usagePage(input: UsagePageInput): Html {
  const { report, filters } = input;
  const months = new Map<string, number>();
  for (const row of report.byRepoMonth) months.set(row.month, (months.get(row.month) ?? 0) + row.costMicros);
  const people = byCost(report.byPerson);
  return html`<h1>Usage</h1>
<form class="filters" method="get" action="/usage" role="search" aria-label="Filter usage">
  <label>Repository<select name="repo"><option value="">all repositories</option>${input.repositories.map((repo) => html`<option value="${repo}"${repo === filters.repo?.toLowerCase() ? html` selected` : ""}>${repo}</option>`)}</select></label>
  <label>From<input type="date" name="since" value="${filters.since?.slice(0, 10) ?? ""}"></label>
  <label>Before<input type="date" name="until" value="${filters.until?.slice(0, 10) ?? ""}"></label>
  <button class="primary" type="submit">Show</button>
</form>
${input.error && notice(`These filters could not be applied: ${input.error}`, "bad")}
<dl class="facts">
  <div><dt>Spent</dt><dd>${usd(report.total.costMicros)}</dd></div>
  <div><dt>Model calls</dt><dd>${count(report.total.calls)}</dd></div>
  <div><dt>Input tokens</dt><dd>${count(report.total.inputTokens)}</dd></div>
  <div><dt>Output tokens</dt><dd>${count(report.total.outputTokens)}</dd></div>
  <div><dt>Cache write</dt><dd>${count(report.total.cacheWriteTokens)}</dd></div>
  <div><dt>Cache read</dt><dd>${count(report.total.cacheReadTokens)}</dd></div>
</dl>
<h2>Budgets in ${input.month}</h2>
${barChart(
  byCost(input.budgets.map((b) => ({ ...b, costMicros: b.spentMicros }))).slice(0, 25).map((b) => ({ label: b.repo, value: b.spentMicros, limit: b.limitMicros ?? input.defaultRepoBudgetMicros })),
  { title: `Spend this month against each repository's budget`, format: usd, labelHeading: "Repository" },
)}
<p class="muted">A budget is shown as the latest model call was held to it; a repository without a call this month shows the server's default of ${usd(input.defaultRepoBudgetMicros)}.</p>
<h2>By month</h2>
${barChart([...months.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([month, cost]) => ({ label: month, value: cost })), { title: "Cost by month", format: usd, labelHeading: "Month" })}
<h2>By repository and month</h2>
${report.byRepoMonth.length === 0
  ? notice("No spend recorded in this range.")
  : html`<table><thead><tr><th scope="col">Month</th><th scope="col">Repository</th><th scope="col" class="num">Calls</th><th scope="col" class="num">Input</th><th scope="col" class="num">Output</th><th scope="col" class="num">Cost</th></tr></thead>
<tbody>${[...report.byRepoMonth].sort((a, b) => (a.month === b.month ? b.costMicros - a.costMicros : a.month < b.month ? 1 : -1)).map((row) => html`<tr><td>${row.month}</td><td><a href="/runs?repo=${encodeURIComponent(row.repo)}">${row.repo}</a></td><td class="num">${count(row.calls)}</td><td class="num">${count(row.inputTokens)}</td><td class="num">${count(row.outputTokens)}</td><td class="num">${usd(row.costMicros)}</td></tr>`)}</tbody></table>`}
<h2>By task</h2>
${barChart(byCost(report.byTask).map((row) => ({ label: row.task ? row.task.replace(/_/g, "-") : "outside a run", value: row.costMicros })), { title: "Cost by task", format: usd, labelHeading: "Task" })}
<h2>By person</h2>
${barChart(people.slice(0, TOP).map((row) => ({ label: row.actor ?? "outside a run", value: row.costMicros })), { title: people.length > TOP ? `Cost by person (top ${TOP} of ${people.length})` : "Cost by person", format: usd, labelHeading: "Person" })}`;
}
