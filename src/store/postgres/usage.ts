import type { Pool } from "pg";
import type { RunTask } from "../../core/run.js";
import { MAX_RUN_USAGE, type UsageBreakdownFilter, type UsageGroup, type UsageRecord } from "../types.js";

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
 * Whole months come from the monthly sums (./usage-rollup.ts); the part of a month a range starts
 * or ends inside of comes from the ledger itself. The two never cover the same month.
 */
export async function usageBreakdown(pool: Pool, filter: UsageBreakdownFilter): Promise<UsageGroup[]> {
  if (filter.repos.length === 0) return [];
  const values: unknown[] = [filter.repos.map((repo) => repo.toLowerCase())];
  const param = (value: unknown) => `$${values.push(value)}`;
  const { months, ledger } = usageSpans(filter.since, filter.until);
  const parts: string[] = [];
  if (months) {
    const where = ["lower(repo) = ANY($1::text[])"];
    // As text: a Date goes to the server in this process's time zone, and a date keeps the day written.
    if (months.from) where.push(`month >= ${param(isoDay(months.from))}::date`);
    if (months.to) where.push(`month < ${param(isoDay(months.to))}::date`);
    parts.push(`SELECT repo, to_char(month, 'YYYY-MM') AS month, NULLIF(task, '') AS task, NULLIF(actor, '') AS actor,
                       ${SUM_COLUMNS.join(", ")}, entries
                  FROM ai_usage_monthly WHERE ${where.join(" AND ")}`);
  }
  for (const span of ledger) {
    const where = ["lower(u.repo) = ANY($1::text[])"];
    if (span.from) where.push(`u.at >= ${param(span.from)}`);
    if (span.to) where.push(`u.at < ${param(span.to)}`);
    parts.push(`SELECT u.repo, to_char(u.at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, r.task, r.actor,
                       ${SUM_COLUMNS.map((column) => `SUM(u.${column}) AS ${column}`).join(", ")}, COUNT(*) AS entries
                  FROM ai_usage u LEFT JOIN ai_runs r ON r.id = u.run_id
                 WHERE ${where.join(" AND ")} GROUP BY 1, 2, 3, 4`);
  }
  const { rows } = await pool.query<Sums & { repo: string; month: string; task: RunTask | null; actor: string | null; entries: string }>(
    `SELECT * FROM (${parts.join(" UNION ALL ")}) AS groups ORDER BY month, lower(repo), task NULLS FIRST, actor NULLS FIRST`,
    values,
  );
  return rows.map((row) => ({ repo: row.repo, month: row.month, task: row.task, actor: row.actor, ...totals(row), entries: Number(row.entries) }));
}

const SUM_COLUMNS = ["input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens", "cost_micros"] as const;

type Span = { from?: Date; to?: Date };

const isoDay = (at: Date) => at.toISOString().slice(0, 10);
const monthStart = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
const nextMonthStart = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));

/**
 * How [since, until) splits into whole months, read from the sums, and the parts of months at
 * either end, read from the ledger. An open end is whole: the sums hold every month so far.
 */
export function usageSpans(since: Date | undefined, until: Date | undefined): { months?: Span; ledger: Span[] } {
  const from = since && (since.getTime() === monthStart(since).getTime() ? since : nextMonthStart(since));
  const to = until && monthStart(until);
  if (from && to && from >= to) return { ledger: [{ ...(since ? { from: since } : {}), ...(until ? { to: until } : {}) }] };
  const ledger: Span[] = [];
  if (since && from && since < from) ledger.push({ from: since, to: from });
  if (until && to && to < until) ledger.push({ from: to, to: until });
  return { months: { ...(from ? { from } : {}), ...(to ? { to } : {}) }, ledger };
}

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
