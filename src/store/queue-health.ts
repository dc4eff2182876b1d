import type { RunStatus } from "../core/run.js";

/**
 * What the dashboard's queue page reads: the worker processes' heartbeats, how long runs waited
 * for a worker, and the queue's own job records (Agenda's `agenda_jobs`, read by QueueJobs).
 */

/** What a worker process says about itself every few seconds. */
export interface WorkerHeartbeat {
  /** Unique per process start: host, pid and a random part. */
  id: string;
  name: string;
  role: "worker" | "all";
  pid: number;
  host: string;
  version: string;
  /** Jobs it runs at once, besides the quick ones. */
  concurrency: number;
  startedAt: Date;
  /** Jobs running in it as of this beat. */
  jobsRunning: number;
}

export interface WorkerRecord extends WorkerHeartbeat {
  /** When the database last heard from it, by the database's clock. */
  lastSeenAt: Date;
  /** How long ago that was, by the same clock: no host's clock is compared with another's. */
  silentMs: number;
}

/** How long runs started in a window waited between being queued and a worker taking them, in ms. */
export interface PickupLatency {
  runs: number;
  /** Nearest-rank percentiles; null without runs. */
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

/** Jobs of one name that are due, scheduled for later, and locked by a worker (running, or about to). */
export interface JobDepth {
  name: string;
  due: number;
  scheduled: number;
  locked: number;
  /** How long the longest-waiting due job has been due, by the database's clock; null when none is. */
  oldestDueMs: number | null;
}

/** A job record as the queue page needs it; `repo` and `number` from its run, or from its own data. */
export interface QueueJob {
  id: string;
  name: string;
  /** As the job's code threw it: unredacted, unbounded. */
  failReason: string | null;
  failedAt: Date | null;
  failCount: number;
  nextRunAt: Date | null;
  lockedAt: Date | null;
  lastFinishedAt: Date | null;
  runId: string | null;
  runStatus: RunStatus | null;
  repo: string | null;
  number: number | null;
}

/** Whose failed jobs to list: every one, or those of these repositories (`owner/name`, any case). */
export type FailedJobScope = { all: true } | { repos: readonly string[] };

/**
 * Agenda's job records, read and changed where Agenda's public API will not do: its queryJobs and
 * getJobsOverview read every row of the table into memory to work out states, and the table keeps
 * every finished job (removeOnComplete is off). These queries count and filter in the database.
 */
export interface QueueJobs {
  depth(): Promise<JobDepth[]>;
  /** Failed jobs (failed since they last finished, backoff retries pending included), newest failure first. */
  failed(scope: FailedJobScope, limit: number): Promise<QueueJob[]>;
  /** Any job by its id; null for none (or an id no job could have). */
  job(id: string): Promise<QueueJob | null>;
  /**
   * Queues a failed job to run now, as Agenda's `now()` does, only while it is still failed and
   * neither running nor rescheduled — and, with `failCount`, failed exactly that many times — in
   * one conditional write: of two retries at once, one wins. False when nothing changed.
   */
  requeueFailed(id: string, options: { failCount?: number; by: string }): Promise<boolean>;
}

/** A failed job that nothing has rescheduled or taken since: what a retry may requeue. */
export function isRetryable(job: Pick<QueueJob, "failedAt" | "lastFinishedAt" | "nextRunAt" | "lockedAt">): boolean {
  return isFailed(job) && job.nextRunAt === null && job.lockedAt === null;
}

/** Agenda's own reading (computeJobState): a failure at least as recent as the last finish. */
export function isFailed(job: Pick<QueueJob, "failedAt" | "lastFinishedAt">): boolean {
  return job.failedAt !== null && (job.lastFinishedAt === null || job.failedAt.getTime() >= job.lastFinishedAt.getTime());
}
