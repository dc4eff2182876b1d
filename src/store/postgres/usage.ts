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
