import type { Pool } from "pg";
import { storable } from "../../core/safe-json.js";
import { MAX_RUN_EVENTS_PAGE, type RunEventEntry, runEventEntrySchema } from "../types.js";

/** A run's event log on PostgreSQL: one row per event, keyed by the run and the event's seq. */

interface RunEventRow {
  seq: number;
  at: Date;
  step: string | null;
  kind: RunEventEntry["kind"];
  name: string;
  summary: string;
  output: string | null;
  exit_code: number | null;
  duration_ms: number | null;
  truncated: boolean;
}

export async function appendRunEvents(pool: Pool, runId: string, input: readonly RunEventEntry[]): Promise<void> {
  if (input.length === 0) return;
  // The recorder bounds and redacts; this is the net under any other writer (PostgreSQL refuses NUL in text).
  const events = input.map((event) => runEventEntrySchema.parse(storable(event)));
  // One statement for the batch; a seq the run already has is the same event written again.
  await pool.query(
    `INSERT INTO ai_run_events (run_id, seq, at, step, kind, name, summary, output, exit_code, duration_ms, truncated)
     SELECT $1::uuid, * FROM unnest($2::int[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::int[], $11::bool[])
     ON CONFLICT (run_id, seq) DO NOTHING`,
    [
      runId,
      events.map((e) => e.seq),
      events.map((e) => e.at),
      events.map((e) => e.step),
      events.map((e) => e.kind),
      events.map((e) => e.name),
      events.map((e) => e.summary),
      events.map((e) => e.output),
      events.map((e) => e.exitCode),
      events.map((e) => e.durationMs),
      events.map((e) => e.truncated),
    ],
  );
}

export async function listRunEvents(pool: Pool, runId: string, options: { afterSeq?: number; limit: number }): Promise<RunEventEntry[]> {
  const { rows } = await pool.query<RunEventRow>(
    `SELECT seq, at, step, kind, name, summary, output, exit_code, duration_ms, truncated
       FROM ai_run_events WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [runId, options.afterSeq ?? 0, Math.min(Math.max(options.limit, 0), MAX_RUN_EVENTS_PAGE)],
  );
  return rows.map((row) => ({
    seq: row.seq,
    at: row.at,
    step: row.step,
    kind: row.kind,
    name: row.name,
    summary: row.summary,
    output: row.output,
    exitCode: row.exit_code,
    durationMs: row.duration_ms,
    truncated: row.truncated,
  }));
}

export async function lastRunEventSeq(pool: Pool, runId: string): Promise<number> {
  const { rows } = await pool.query<{ seq: number | null }>(`SELECT max(seq) AS seq FROM ai_run_events WHERE run_id = $1`, [runId]);
  return rows[0]?.seq ?? 0;
}
