import { exponential } from "agenda";
import type { TriggerRequest } from "../core/trigger.js";
import { type ExecuteDeps, executeRun } from "./execute-run.js";
import { type TriggerDeps, processTrigger } from "./process-trigger.js";
import { TRIGGER_JOB, defineIntakeJob } from "./intake-jobs.js";
import type { JobQueue } from "./queue.js";

export const RUN_JOB = "run";

/** A run whose target already has a running run of its task waits this long before trying again. */
const DEFER_MS = 5_000;
/** Intake failures (GitHub down, a 5xx) are retried, the same job rescheduled, so a trigger is not lost. */
const triggerBackoff = exponential({ delay: 2_000, factor: 2, maxRetries: 3 });

export function registerJobs(queue: JobQueue, deps: Omit<TriggerDeps, "startRun"> & ExecuteDeps): void {
  const startRun = async (runId: string) => {
    await queue.enqueue(RUN_JOB, { runId });
  };
  defineIntakeJob(queue, deps);
  queue.define<TriggerRequest>(
    TRIGGER_JOB,
    async (request) => {
      const repo = `${request.owner}/${request.repo}`;
      const outcome = await processTrigger(request, { ...deps, startRun });
      deps.log.info({ delivery: request.deliveryId, repo, ...outcome }, "trigger handled");
    },
    { backoff: triggerBackoff, quick: true },
  );
  queue.define<{ runId: string }>(RUN_JOB, async ({ runId }) => {
    const result = await executeRun(runId, deps);
    if (result === "deferred") await queue.enqueueIn(DEFER_MS, RUN_JOB, { runId });
  });
}
