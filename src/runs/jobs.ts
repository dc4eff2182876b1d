import type { TriggerRequest } from "../triggers/requests.js";
import { type ExecuteDeps, executeRun } from "./execute-run.js";
import { type TriggerDeps, processTrigger } from "./process-trigger.js";
import type { JobQueue } from "./queue.js";

export const TRIGGER_JOB = "trigger";
export const RUN_JOB = "run";

/** A run whose target already has a running run of its task waits this long before trying again. */
const DEFER_MS = 5_000;
/** Intake failures (GitHub down, a 5xx) are retried with backoff so a trigger is not lost. */
const TRIGGER_ATTEMPTS = 4;

type TriggerJobData = TriggerRequest & { attempt?: number };

export function registerJobs(queue: JobQueue, deps: Omit<TriggerDeps, "startRun"> & ExecuteDeps): void {
  const startRun = async (runId: string) => {
    await queue.enqueue(RUN_JOB, { runId });
  };
  queue.define<TriggerJobData>(TRIGGER_JOB, async (data) => {
    const { attempt = 1, ...request } = data;
    try {
      const outcome = await processTrigger(request, { ...deps, startRun });
      deps.log.info({ delivery: request.deliveryId, repo: `${request.owner}/${request.repo}`, ...outcome }, "trigger handled");
    } catch (error) {
      if (attempt >= TRIGGER_ATTEMPTS) throw error;
      deps.log.warn({ err: error, delivery: request.deliveryId, attempt }, "trigger failed; retrying");
      await queue.enqueueIn(1_000 * 2 ** attempt, TRIGGER_JOB, { ...request, attempt: attempt + 1 });
    }
  });
  queue.define<{ runId: string }>(RUN_JOB, async ({ runId }) => {
    const result = await executeRun(runId, deps);
    if (result === "deferred") await queue.enqueueIn(DEFER_MS, RUN_JOB, { runId });
  });
}
