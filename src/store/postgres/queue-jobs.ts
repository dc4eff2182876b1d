import type { Pool } from "pg";
import type { RunStatus } from "../../core/run.js";
import type { FailedJobScope, JobDepth, QueueJob, QueueJobs } from "../queue-health.js";

/**
 * Agenda's `agenda_jobs` table (@agendajs/postgres-backend's schema), read for the queue page and
 * changed for a retry. Why not Agenda's queryJobs: see QueueJobs. Every query here touches only the
 * live part of the table — due, scheduled, locked or failed rows, through partial indexes — never
 * the finished jobs the table keeps.
 */

const UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
const isUuid = (id: string) => new RegExp(UUID).test(id);

/**
 * A job's repository and number: its run's when its data names one (a `run` job), else its own
 * data's `owner`, `repo` and `number` (a `trigger` job), else none. Data is JSON any code wrote, so
 * each field is taken only when it has the expected type and the run id only when it is a uuid.
 */
const JOB_COLUMNS = `
  j.id::text AS id, j.name, j.fail_reason, j.failed_at, j.fail_count, j.next_run_at, j.locked_at, j.last_finished_at,
  r.id::text AS run_id, r.status AS run_status,
  COALESCE(r.repo, CASE WHEN jsonb_typeof(j.data->'owner') = 'string' AND jsonb_typeof(j.data->'repo') = 'string'
                        THEN (j.data->>'owner') || '/' || (j.data->>'repo') END) AS repo,
  COALESCE(r.number, CASE WHEN (j.data->>'number') ~ '^[0-9]{1,9}$' THEN (j.data->>'number')::integer END) AS number`;
const JOB_SOURCE = `agenda_jobs j LEFT JOIN ai_runs r
  ON r.id = CASE WHEN (j.data->>'runId') ~ '${UUID}' THEN (j.data->>'runId')::uuid END`;
/** Agenda's "failed" (computeJobState): not locked, and failed at least as recently as it last finished. */
const FAILED = `j.failed_at IS NOT NULL AND j.locked_at IS NULL AND (j.last_finished_at IS NULL OR j.failed_at >= j.last_finished_at)`;

type JobRow = {
  id: string;
  name: string;
  fail_reason: string | null;
  failed_at: Date | null;
  fail_count: number | null;
  next_run_at: Date | null;
  locked_at: Date | null;
  last_finished_at: Date | null;
  run_id: string | null;
  run_status: RunStatus | null;
  repo: string | null;
  number: number | null;
};

function jobFromRow(row: JobRow): QueueJob {
  return {
    id: row.id,
    name: row.name,
    failReason: row.fail_reason,
    failedAt: row.failed_at,
    failCount: row.fail_count ?? 0,
    nextRunAt: row.next_run_at,
    lockedAt: row.locked_at,
    lastFinishedAt: row.last_finished_at,
    runId: row.run_id,
    runStatus: row.run_status,
    repo: row.repo,
    number: row.number,
  };
}

/** Indexes for these reads, beside the backend's own; created with Agenda's schema at start-up. */
export const queueJobIndexes: readonly string[] = [
  `CREATE INDEX IF NOT EXISTS agenda_jobs_failed_idx ON agenda_jobs (failed_at DESC) WHERE failed_at IS NOT NULL`,
];

export function postgresQueueJobs(pool: Pool): QueueJobs {
  return {
    async depth(): Promise<JobDepth[]> {
      const { rows } = await pool.query<{ name: string; due: string; scheduled: string; locked: string; oldest_due_ms: string | null }>(
        `SELECT name,
                count(*) FILTER (WHERE locked_at IS NULL AND next_run_at <= now()) AS due,
                count(*) FILTER (WHERE locked_at IS NULL AND next_run_at > now()) AS scheduled,
                count(*) FILTER (WHERE locked_at IS NOT NULL) AS locked,
                round(extract(epoch FROM now() - min(next_run_at) FILTER (WHERE locked_at IS NULL AND next_run_at <= now())) * 1000) AS oldest_due_ms
           FROM agenda_jobs
          WHERE (next_run_at IS NOT NULL OR locked_at IS NOT NULL) AND disabled IS NOT TRUE
          GROUP BY name ORDER BY name`,
      );
      return rows.map((row) => ({
        name: row.name,
        due: Number(row.due),
        scheduled: Number(row.scheduled),
        locked: Number(row.locked),
        oldestDueMs: row.oldest_due_ms === null ? null : Math.max(0, Number(row.oldest_due_ms)),
      }));
    },

    async failed(scope: FailedJobScope, limit: number): Promise<QueueJob[]> {
      const values: unknown[] = [limit];
      let where = "";
      if (!("all" in scope)) {
        values.push(scope.repos.map((repo) => repo.toLowerCase()));
        where = `WHERE lower(repo) = ANY($2::text[])`;
      }
      const { rows } = await pool.query<JobRow>(
        `SELECT * FROM (SELECT ${JOB_COLUMNS} FROM ${JOB_SOURCE} WHERE ${FAILED}) failed
          ${where} ORDER BY failed_at DESC, id LIMIT $1`,
        values,
      );
      return rows.map(jobFromRow);
    },

    async job(id: string): Promise<QueueJob | null> {
      if (!isUuid(id)) return null;
      const { rows } = await pool.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM ${JOB_SOURCE} WHERE j.id = $1::uuid`, [id]);
      return rows[0] ? jobFromRow(rows[0]) : null;
    },

    async requeueFailed(id: string, options: { failCount?: number; by: string }): Promise<boolean> {
      if (!isUuid(id)) return false;
      const { rowCount } = await pool.query(
        `UPDATE agenda_jobs j SET next_run_at = now(), last_modified_by = $3
          WHERE j.id = $1::uuid AND j.next_run_at IS NULL AND ${FAILED} AND ($2::integer IS NULL OR j.fail_count = $2::integer)`,
        [id, options.failCount ?? null, options.by.slice(0, 255)],
      );
      return rowCount === 1;
    },
  };
}
