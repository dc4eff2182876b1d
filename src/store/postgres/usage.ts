import type { Pool } from "pg";
import type { RunTask } from "../../core/run.js";
import { MAX_RUN_USAGE, type UsageBreakdownFilter, type UsageGroup, type UsageRecord, type UsageReport, emptyTotals } from "../types.js";
import { usageSpans } from "../usage-spans.js";

/**
 * Reading the usage ledger for the API: one run's model calls, and the spend summed by repository,
 * month, task and person. The ledger has the repository and time; the task and the person come
 * from the run each entry was spent on.
 */

type Sums = { input_tokens: string; output_tokens: string; cache_write_tokens: string; cache_read_tokens: string; cost_micros: string };

export async function runUsage(pool: Pool, runId: string): Promise<UsageRecord[]> {
  const { rows } = await pool.query<Sums & { model: string; at: Date }>(
    `SELECT model, input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, cost_micros, at
       FROM ai_usage WHERE run_id = $1 ORDER BY at, id LIMIT $2`,
    [runId, MAX_RUN_USAGE],
  );
  return rows.map((row) => ({ model: row.model, ...totals(row), at: row.at }));
}

/**
 * The spend by repository, month (a date, its first day), task and person over the repositories
 * named, as one query's text: whole months from the monthly sums (./usage-rollup.ts), parts of
 * months from the ledger itself (../usage-spans.ts). Null when no repository is named.
 */
function groupsQuery(filter: UsageBreakdownFilter): { sql: string; values: unknown[] } | null {
  if (filter.repos.length === 0) return null;
  const values: unknown[] = [filter.repos.map((repo) => repo.toLowerCase())];
  const param = (value: unknown) => `$${values.push(value)}`;
  const { months, ledger } = usageSpans(filter.since, filter.until);
  const parts: string[] = [];
  if (months) {
    const where = ["lower(repo) = ANY($1::text[])"];
    if (months.from) where.push(`month >= ${param(`${months.from}-01`)}::date`);
    if (months.to) where.push(`month < ${param(`${months.to}-01`)}::date`);
    parts.push(`SELECT repo, month, NULLIF(task, '') AS task, NULLIF(actor, '') AS actor, ${SUM_COLUMNS.join(", ")}, entries
                  FROM ai_usage_monthly WHERE ${where.join(" AND ")}`);
  }
  for (const span of ledger) {
    const where = ["lower(u.repo) = ANY($1::text[])"];
    if (span.from) where.push(`u.at >= ${param(span.from)}`);
    if (span.to) where.push(`u.at < ${param(span.to)}`);
    parts.push(`SELECT u.repo, date_trunc('month', u.at AT TIME ZONE 'UTC')::date AS month, r.task, r.actor,
                       ${SUM_COLUMNS.map((column) => `SUM(u.${column}) AS ${column}`).join(", ")}, COUNT(*) AS entries
                  FROM ai_usage u LEFT JOIN ai_runs r ON r.id = u.run_id
                 WHERE ${where.join(" AND ")} GROUP BY 1, 2, 3, 4`);
  }
  return { sql: parts.join(" UNION ALL "), values };
}

type GroupRow = Sums & { repo: string; month: string; task: RunTask | null; actor: string | null; entries: string };

export async function usageBreakdown(pool: Pool, filter: UsageBreakdownFilter): Promise<UsageGroup[]> {
  const query = groupsQuery(filter);
  if (!query) return [];
  const { rows } = await pool.query<GroupRow>(
    `SELECT repo, to_char(month, 'YYYY-MM') AS month, task, actor, ${SUM_COLUMNS.join(", ")}, entries
       FROM (${query.sql}) AS groups ORDER BY groups.month, lower(repo), task NULLS FIRST, actor NULLS FIRST`,
    query.values,
  );
  return rows.map((row) => ({ repo: row.repo, month: row.month, task: row.task, actor: row.actor, ...totals(row), entries: Number(row.entries) }));
}

/**
 * The report's views summed in one pass (GROUPING SETS): the database hands back a row per view
 * entry, not every group. GROUPING() tells which view a row belongs to: its bit is 0 for the
 * columns that row is grouped by.
 */
export async function usageReport(pool: Pool, filter: UsageBreakdownFilter): Promise<UsageReport> {
  const report: UsageReport = { total: emptyTotals(), byRepoMonth: [], byTask: [], byPerson: [] };
  const query = groupsQuery(filter);
  if (!query) return report;
  const { rows } = await pool.query<GroupRow & { view: number }>(
    `SELECT GROUPING(lower(repo), month, task, lower(actor)) AS view, lower(repo) AS repo, to_char(month, 'YYYY-MM') AS month,
            task, lower(actor) AS actor, ${SUM_COLUMNS.map((column) => `SUM(${column}) AS ${column}`).join(", ")}, SUM(entries) AS entries
       FROM (${query.sql}) AS groups
      GROUP BY GROUPING SETS ((lower(repo), month), (task), (lower(actor)), ())
      ORDER BY 1, groups.month, lower(repo) COLLATE "C", task COLLATE "C" NULLS FIRST, lower(actor) COLLATE "C" NULLS FIRST`,
    query.values,
  );
  for (const row of rows) {
    const sums = { ...totals(row), entries: Number(row.entries) };
    if (row.view === VIEW.repoMonth) report.byRepoMonth.push({ repo: row.repo, month: row.month, ...sums });
    else if (row.view === VIEW.task) report.byTask.push({ task: row.task, ...sums });
    else if (row.view === VIEW.person) report.byPerson.push({ actor: row.actor, ...sums });
    else report.total = sums;
  }
  return report;
}

/** GROUPING(repo, month, task, actor) of each view: a bit per column, 1 where not grouped by it. */
const VIEW = { repoMonth: 0b0011, task: 0b1101, person: 0b1110 } as const;

const SUM_COLUMNS = ["input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens", "cost_micros"] as const;

// SUM over bigint comes back as a numeric string; the totals fit a double exactly below 2^53.
function totals(row: Sums) {
  return {
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cacheWriteTokens: Number(row.cache_write_tokens),
    cacheReadTokens: Number(row.cache_read_tokens),
    costMicros: Number(row.cost_micros),
  };
}
