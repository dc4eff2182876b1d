import { exponential } from "agenda";
import type { Logger } from "pino";
import type { GitHubClient } from "../integrations/github/client.js";
import type { Store } from "../store/types.js";
import { type IntakeEntry, IntakeWriter } from "./intake-writer.js";
import type { JobQueue } from "./queue.js";
import { RECOVERY_DEFAULTS, recoverDeliveries } from "./recover-deliveries.js";

/** A batch of deliveries written behind the webhook response; a worker records and fans it out. */
export const INTAKE_JOB = "intake";
export const RECOVER_JOB = "recover-deliveries";
/** One delivery that asks for something: the permission and config checks, then the run. */
export const TRIGGER_JOB = "trigger";

/** A batch that cannot be written out is retried for about an hour, then left to the recovery pass. */
const intakeBackoff = exponential({ delay: 1_000, factor: 2, maxRetries: 12, maxDelay: 10 * 60_000 });

type Log = Pick<Logger, "info" | "warn" | "error">;

/** The writer the webhook handler hands deliveries to: each batch becomes one intake job. */
export function triggerIntake(queue: JobQueue, log: Log, options: { capacity?: number; lingerMs?: number } = {}): IntakeWriter {
  return new IntakeWriter({
    enqueue: async (entries) => {
      await queue.enqueue(INTAKE_JOB, { entries });
    },
    log,
    ...options,
  });
}

/**
 * The intake job: one trigger job per delivery that asks for something — once per delivery id,
 * by the queue's unique index, so a redelivery or a retried batch queues nothing twice — then every
 * delivery recorded as seen. In that order: a crash between the two leaves deliveries that the
 * recovery pass has sent again and the index turns away, never one recorded but not queued.
 */
export function defineIntakeJob(queue: JobQueue, deps: { store: Store; log: Log }): void {
  queue.define<{ entries: IntakeEntry[] }>(
    INTAKE_JOB,
    async ({ entries }) => {
      await Promise.all(
        entries.map(async ({ request }) => {
          if (request && !(await queue.enqueueOnce(TRIGGER_JOB, request, request.deliveryId))) {
            deps.log.info({ delivery: request.deliveryId, repo: `${request.owner}/${request.repo}` }, "redelivered webhook ignored");
          }
        }),
      );
      await deps.store.recordDeliveries(entries.map((e) => e.delivery));
    },
    { backoff: intakeBackoff, quick: true },
  );
}

/** Recorded deliveries are kept a week, GitHub's log three days: past that, nothing reads them. */
const KEEP_DELIVERIES_MS = 7 * 86_400_000;
/** Each pass looks again at what the one before left to the writer, and a margin for slow passes. */
const OVERLAP_MS = RECOVERY_DEFAULTS.graceMs + 10 * 60_000;

/**
 * The recovery pass as a recurring job, which also forgets deliveries past a week. A process's
 * first pass reads back `windowHours`; later ones from just before the previous pass, so the log is
 * read once, not every minute. Without `appClient` (no credentials, or recovery turned off) the job
 * only forgets, hourly.
 */
export async function scheduleDeliveryRecovery(
  queue: JobQueue,
  deps: { appClient?: () => Promise<GitHubClient>; store: Store; log: Log },
  options: { intervalMs: number; windowHours: number },
): Promise<void> {
  const { appClient } = deps;
  let since: Date | undefined;
  queue.define(RECOVER_JOB, async () => {
    const started = Date.now();
    if (appClient) {
      const outcome = await recoverDeliveries({ ...deps, appClient }, {
        ...RECOVERY_DEFAULTS,
        since: since ?? new Date(started - options.windowHours * 3_600_000),
      });
      since = new Date(started - OVERLAP_MS);
      if (outcome.redelivered.length > 0) {
        deps.log.info({ scanned: outcome.scanned, redelivered: outcome.redelivered.length }, "delivery recovery pass");
      }
    }
    await deps.store.forgetDeliveries(new Date(started - KEEP_DELIVERIES_MS));
  }, { quick: true });
  await queue.every(appClient ? options.intervalMs : 3_600_000, RECOVER_JOB);
}
