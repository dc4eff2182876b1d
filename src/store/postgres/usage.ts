import type { Pool } from "pg";
import { addTo, byKey } from "../usage-report.js";
import type { RunTask } from "../../core/run.js";
import { MAX_RUN_USAGE, type UsageBreakdownFilter, type UsageGroup, type UsageRecord, type UsageReport, type UsageTotals, emptyTotals } from "../types.js";
import { type DateSpan, usageSpans } from "../usage-spans.js";
import { SUM_COLUMNS } from "./usage-rollup.js";

/**
 * Reading the usage ledger for the API: one run's model calls, the spend summed by repository,
 * month, task and person (the ledger has the repository and time; the task and the person come
 * from the run each entry was spent on), and the usage report from the running sums.
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

export async function usageBreakdown(pool: Pool, filter: UsageBreakdownFilter): Promise<UsageGroup[]> {
  const values: unknown[] = [filter.repos.map((repo) => repo.toLowerCase())];
  const where = ["lower(u.repo) = ANY($1::text[])"];
  if (filter.since) where.push(`u.at >= $${values.push(filter.since)}`);
  if (filter.until) where.push(`u.at < $${values.push(filter.until)}`);
  const { rows } = await pool.query<Sums & { repo: string; month: string; task: RunTask | null; actor: string | null; entries: string }>(
    `SELECT u.repo, to_char(u.at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, r.task, r.actor,
            SUM(u.input_tokens) AS input_tokens, SUM(u.output_tokens) AS output_tokens,
            SUM(u.cache_write_tokens) AS cache_write_tokens, SUM(u.cache_read_tokens) AS cache_read_tokens,
            SUM(u.cost_micros) AS cost_micros, COUNT(*) AS entries
       FROM ai_usage u LEFT JOIN ai_runs r ON r.id = u.run_id
      WHERE ${where.join(" AND ")}
      GROUP BY 1, 2, 3, 4 ORDER BY 2, lower(u.repo), 3 NULLS FIRST, 4 NULLS FIRST`,
    values,
  );
  return rows.map((row) => ({ repo: row.repo, month: row.month, task: row.task, actor: row.actor, ...totals(row), entries: Number(row.entries) }));
}

/**
 * The report from the running sums (./usage-rollup.ts) over the pieces of the range
 * (../usage-spans.ts), with the ledger only for parts of days: at most a few thousand rows read
 * and a row per entry of the report's views handed back.
 */
export async function usageReport(pool: Pool, filter: UsageBreakdownFilter): Promise<UsageReport> {
  const report: UsageReport = { total: emptyTotals(), byRepoMonth: [], byTask: [], byPerson: [] };
  if (filter.repos.length === 0) return report;
  const values: unknown[] = [filter.repos.map((repo) => repo.toLowerCase())];
  const param = (value: unknown) => `$${values.push(value)}`;
  const between = (span: DateSpan) => [span.from ? `period >= ${param(span.from)}::date` : "", span.to ? `period < ${param(span.to)}::date` : ""].filter(Boolean);
  const spans = usageSpans(filter.since, filter.until);
  const pieces: string[] = [];
  if (spans.allTime) pieces.push(`(grain = 'month' AND dim = '')`, `(grain = 'all' AND dim <> '')`);
  if (spans.months) pieces.push(`(${["grain = 'month'", ...between(spans.months)].join(" AND ")})`);
  for (const days of spans.days) pieces.push(`(${["grain = 'day'", ...between(days)].join(" AND ")})`);
  const parts: string[] = [];
  if (pieces.length) {
    parts.push(`SELECT dim, repo, date_trunc('month', period)::date AS month, value, ${SUM_COLUMNS.join(", ")}, entries
                  FROM ai_usage_sums WHERE repo = ANY($1::text[]) AND (${pieces.join(" OR ")})`);
  }
  for (const span of spans.ledger) {
    // Keys in the sums' collation, so the two parts group as one.
    parts.push(`SELECT d.dim, lower(u.repo) COLLATE "C", date_trunc('month', u.at AT TIME ZONE 'UTC')::date, d.value, ${SUM_COLUMNS.map((column) => `u.${column}`).join(", ")}, 1
                  FROM ai_usage u LEFT JOIN ai_runs r ON r.id = u.run_id
                 CROSS JOIN LATERAL (VALUES ('' COLLATE "C", '' COLLATE "C"), ('task', COALESCE(r.task, '') COLLATE "C"), ('actor', COALESCE(lower(r.actor), '') COLLATE "C")) AS d (dim, value)
                 WHERE lower(u.repo) = ANY($1::text[]) AND u.at >= ${param(span.from)} AND u.at < ${param(span.to)}`);
  }
  if (parts.length === 0) return report;
  const { rows } = await pool.query<Sums & { dim: string; repo: string | null; month: string | null; value: string; entries: string }>(
    // Grouped by the date and formatted after: a text key would sort in the locale's order, slowly.
    `SELECT dim, repo, to_char(month, 'YYYY-MM') AS month, value, ${SUM_COLUMNS.join(", ")}, entries
       FROM (SELECT dim, CASE WHEN dim = '' THEN repo END AS repo, CASE WHEN dim = '' THEN month END AS month, value,
                    ${SUM_COLUMNS.map((column) => `SUM(${column}) AS ${column}`).join(", ")}, SUM(entries) AS entries
               FROM (${parts.join(" UNION ALL ")}) AS parts
              GROUP BY 1, 2, 3, 4) AS report`,
    values,
  );
  for (const row of rows) {
    const sums: UsageTotals = { ...totals(row), entries: Number(row.entries) };
    if (row.dim === "task") report.byTask.push({ task: (row.value || null) as RunTask | null, ...sums });
    else if (row.dim === "actor") report.byPerson.push({ actor: row.value || null, ...sums });
    else report.byRepoMonth.push({ repo: row.repo ?? "", month: row.month ?? "", ...sums });
  }
  for (const group of report.byRepoMonth) addTo(report.total, group);
  report.byRepoMonth.sort((a, b) => byKey(a.month, b.month) || byKey(a.repo, b.repo));
  report.byTask.sort((a, b) => byKey(a.task, b.task));
  report.byPerson.sort((a, b) => byKey(a.actor, b.actor));
  return report;
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
