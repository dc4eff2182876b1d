import type { Pool } from "pg";
import type { PickupLatency, WorkerHeartbeat, WorkerRecord } from "../queue-health.js";

/**
 * Worker heartbeats and pickup latency on PostgreSQL. A heartbeat is one upsert on a tiny table;
 * its time is the database's `now()`, and so is the silence measured against it.
 */

type WorkerRow = {
  id: string;
  name: string;
  role: "worker" | "all";
  pid: number;
  host: string;
  version: string;
  concurrency: number;
  started_at: Date;
  jobs_running: number;
  last_seen_at: Date;
  silent_ms: string;
};

export async function recordWorker(pool: Pool, beat: WorkerHeartbeat): Promise<void> {
  await pool.query(
    `INSERT INTO ai_workers (id, name, role, pid, host, version, concurrency, started_at, jobs_running, last_seen_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
     ON CONFLICT (id) DO UPDATE SET jobs_running = EXCLUDED.jobs_running, concurrency = EXCLUDED.concurrency, last_seen_at = now()`,
    [beat.id, beat.name, beat.role, beat.pid, beat.host, beat.version, beat.concurrency, beat.startedAt, beat.jobsRunning],
  );
}

export async function listWorkers(pool: Pool): Promise<WorkerRecord[]> {
  const { rows } = await pool.query<WorkerRow>(
    `SELECT *, round(extract(epoch FROM now() - last_seen_at) * 1000) AS silent_ms FROM ai_workers ORDER BY name, id`,
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    role: row.role,
    pid: row.pid,
    host: row.host,
    version: row.version,
    concurrency: row.concurrency,
    startedAt: row.started_at,
    jobsRunning: row.jobs_running,
    lastSeenAt: row.last_seen_at,
    silentMs: Math.max(0, Number(row.silent_ms)),
  }));
}

/**
 * Nearest-rank percentiles (percentile_disc), the same definition the MongoDB store computes, over
 * the ai_runs_started_idx range of runs started since `since`. The creation time is cut to the
 * millisecond a start time (a JavaScript Date) has, as MongoDB keeps both. A worker's clock a
 * little behind the database's could make a pickup negative; it counts as none.
 */
export async function pickupLatency(pool: Pool, since: Date): Promise<PickupLatency> {
  const { rows } = await pool.query<{ runs: string; p50: string | null; p95: string | null; max: string | null }>(
    `SELECT count(*) AS runs,
            percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
            percentile_disc(0.95) WITHIN GROUP (ORDER BY ms) AS p95,
            max(ms) AS max
       FROM (SELECT greatest(0, round(extract(epoch FROM started_at - date_trunc('milliseconds', created_at)) * 1000)) AS ms
               FROM ai_runs WHERE started_at >= $1) pickups`,
    [since],
  );
  const row = rows[0];
  const ms = (value: string | null | undefined) => (value === null || value === undefined ? null : Number(value));
  return { runs: Number(row?.runs ?? 0), p50Ms: ms(row?.p50), p95Ms: ms(row?.p95), maxMs: ms(row?.max) };
}
