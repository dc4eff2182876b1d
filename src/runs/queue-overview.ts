import { redact } from "../core/redactor.js";
import { safeText } from "../core/safe-json.js";
import type { RunStatus } from "../core/run.js";
import { type FailedJobScope, type JobDepth, type PickupLatency, type QueueJob, type QueueJobs, type WorkerRecord, isRetryable } from "../store/queue-health.js";
import type { Store } from "../store/types.js";
import { GONE_AFTER_BEATS, HEARTBEAT_INTERVAL_MS } from "./worker-heartbeat.js";

/**
 * The queue page's figures in one call: how deep the queue is, how many runs wait or run, how long
 * runs waited for a worker, which workers are alive, and the failed jobs the caller may see —
 * their reasons redacted and bounded, since a job's error may quote anything it touched.
 */

/** The failed jobs listed: the most recent ones. */
export const FAILED_JOBS_LISTED = 50;
/** Characters of a fail reason shown; the rest of it is in the worker's log. */
export const FAIL_REASON_LIMIT = 500;

export interface FailedJobView {
  id: string;
  name: string;
  runId: string | null;
  runStatus: RunStatus | null;
  repo: string | null;
  number: number | null;
  failReason: string;
  failedAt: Date;
  failCount: number;
  /** When a backoff retries it by itself; null when nothing will. */
  retryAt: Date | null;
  /** Whether a retry may requeue it now. */
  retryable: boolean;
}

export interface WorkerView extends WorkerRecord {
  /** Gone: silent for GONE_AFTER_BEATS heartbeats (killed, or cut off from the database). */
  alive: boolean;
}

export interface QueueOverview {
  depth: { due: number; scheduled: number; locked: number; oldestDueMs: number | null; byName: JobDepth[] };
  runs: { queued: number; running: number };
  pickup: { lastHour: PickupLatency; lastDay: PickupLatency };
  workers: WorkerView[];
  failed: FailedJobView[];
}

export interface QueueOverviewDeps {
  store: Pick<Store, "countActiveRuns" | "pickupLatency" | "listWorkers">;
  jobs: Pick<QueueJobs, "depth" | "failed">;
  heartbeatMs?: number;
  now?: () => number;
}

/** The reason as it may be shown: every secret this process knows and any URL's credentials out, then bounded. */
export function shownFailReason(reason: string | null): string {
  // Redacted before it is cut, so a secret split by the cut cannot leave a half behind.
  return safeText(redact(reason ?? ""), FAIL_REASON_LIMIT);
}

export function failedJobView(job: QueueJob): FailedJobView {
  return {
    id: job.id,
    name: job.name,
    runId: job.runId,
    runStatus: job.runStatus,
    repo: job.repo,
    number: job.number,
    failReason: shownFailReason(job.failReason),
    failedAt: job.failedAt ?? new Date(0),
    failCount: job.failCount,
    retryAt: job.nextRunAt,
    retryable: isRetryable(job),
  };
}

export async function queueOverview(deps: QueueOverviewDeps, scope: FailedJobScope): Promise<QueueOverview> {
  const now = deps.now?.() ?? Date.now();
  const goneAfterMs = GONE_AFTER_BEATS * (deps.heartbeatMs ?? HEARTBEAT_INTERVAL_MS);
  const [byName, runs, lastHour, lastDay, workers, failed] = await Promise.all([
    deps.jobs.depth(),
    deps.store.countActiveRuns(),
    deps.store.pickupLatency(new Date(now - 3_600_000)),
    deps.store.pickupLatency(new Date(now - 86_400_000)),
    deps.store.listWorkers(),
    deps.jobs.failed(scope, FAILED_JOBS_LISTED),
  ]);
  const sum = (key: "due" | "scheduled" | "locked") => byName.reduce((total, row) => total + row[key], 0);
  const waits = byName.map((row) => row.oldestDueMs).filter((ms): ms is number => ms !== null);
  return {
    depth: { due: sum("due"), scheduled: sum("scheduled"), locked: sum("locked"), oldestDueMs: waits.length ? Math.max(...waits) : null, byName },
    runs,
    pickup: { lastHour, lastDay },
    workers: workers.map((worker) => ({ ...worker, alive: worker.silentMs < goneAfterMs })),
    failed: failed.map(failedJobView),
  };
}
