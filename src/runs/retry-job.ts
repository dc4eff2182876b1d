import { activeRunStatuses } from "../core/run.js";
import { type QueueJob, type QueueJobs, isFailed, isRetryable } from "../store/queue-health.js";
import { RUN_JOB } from "./jobs.js";

/**
 * Retrying a failed job from the queue page: the same job record queued to run now, as Agenda's
 * `now()` would, through one conditional write (QueueJobs.requeueFailed), so a double click or two
 * admins at once requeue it once.
 *
 * A failed `run` job is retried as that job, never as a new run. The job fails only outside the
 * run's own work — the database or GitHub out of reach before the run started, or while it saved or
 * reported its end — since executeRun records a task's failure on the run and finishes the job. So:
 * - its run still queued or running (the common case: a worker could not get a GitHub token, say)
 *   is exactly what re-running the job is for: executeRun takes it up again, or resumes it, and
 *   until then that target's one-running-run index holds every later run of the task back;
 * - its run already finished (failed, succeeded, stopped) has nothing left for the job to do:
 *   executeRun skips it. A new run is not made here either: it would repeat the model's work and
 *   spend without anyone asking on GitHub, past the trigger's checks (who may ask, the rate limit,
 *   the repository's config), on a snapshot of the issue that may be stale. The answer says to ask
 *   again on GitHub, where a new run is admitted the usual way.
 */

export type RetryOutcome =
  | { result: "retried"; job: QueueJob }
  | { result: "not_failed"; message: string }
  | { result: "run_finished"; message: string };

export async function retryFailedJob(
  jobs: Pick<QueueJobs, "job" | "requeueFailed">,
  job: QueueJob,
  options: { by: string; failCount?: number | undefined },
): Promise<RetryOutcome> {
  if (!isRetryable(job)) return { result: "not_failed", message: notFailedMessage(job) };
  if (options.failCount !== undefined && options.failCount !== job.failCount) {
    return { result: "not_failed", message: `the job has failed ${job.failCount} time(s), not ${options.failCount}: it was retried since you looked; look again` };
  }
  if (job.name === RUN_JOB && job.runStatus !== null && !activeRunStatuses.includes(job.runStatus)) {
    return {
      result: "run_finished",
      message: `its run has already finished (${job.runStatus}), so running the job again would do nothing; ask for a new run on GitHub (the label or the /ai command), which admits it afresh`,
    };
  }
  const requeued = await jobs.requeueFailed(job.id, { by: options.by, failCount: options.failCount ?? job.failCount });
  const now = await jobs.job(job.id);
  if (!requeued || !now) return { result: "not_failed", message: now ? notFailedMessage(now) : "the job is gone" };
  return { result: "retried", job: now };
}

function notFailedMessage(job: QueueJob): string {
  if (job.lockedAt) return "the job is running now";
  if (isFailed(job) && job.nextRunAt) return `the job is already queued to run again at ${job.nextRunAt.toISOString()}`;
  if (job.nextRunAt) return "the job is already queued to run";
  return "the job has not failed";
}
