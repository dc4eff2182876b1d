import type { Logger } from "pino";
import { z } from "zod";
import type { GitHubClient } from "../integrations/github/client.js";
import type { Store } from "../store/types.js";
import { isIntakeEvent } from "../triggers/webhook.js";

/**
 * The recovery pass. GitHub never retries a failed webhook delivery on its own, and the intake
 * answers before its write lands; so a worker reads the app's delivery log now and then, finds the
 * deliveries of the events the intake listens to that were never recorded as seen — sent while the
 * app was down, refused while its database was, or acknowledged by a process killed before the
 * write — and asks GitHub to send each again. The redelivery keeps its delivery id, so the queue's
 * unique index still keeps anything from being queued twice.
 */

/** One attempt in the app's delivery log (`GET /app/hook/deliveries`); a redelivery keeps the guid. */
const deliveryAttempt = z.object({
  id: z.number(),
  guid: z.string(),
  delivered_at: z.iso.datetime({ offset: true }).transform((at) => new Date(at)),
  redelivery: z.boolean(),
  status_code: z.number(),
  event: z.string(),
  action: z.string().nullable(),
});
type DeliveryAttempt = z.infer<typeof deliveryAttempt>;

export interface RecoveryDeps {
  /** An Octokit authenticated as the app itself (a JWT): the delivery log is the app's. */
  appClient: () => Promise<Pick<GitHubClient, "request" | "paginate">>;
  store: Pick<Store, "knownDeliveries" | "claimNotice">;
  log: Pick<Logger, "info" | "warn">;
  now?: () => number;
}

export interface RecoveryOptions {
  /** Deliveries made before this are not looked at. */
  since: Date;
  /** Deliveries younger than this are left to the intake writer. */
  graceMs: number;
  /** How many times one delivery is asked for again before it is given up. */
  maxRedeliveries: number;
}

export interface RecoveryOutcome {
  /** Attempts read from the log. */
  scanned: number;
  /** Delivery ids asked for again. */
  redelivered: string[];
  /** Delivery ids missing but asked for too often already. */
  givenUp: string[];
}

export const RECOVERY_DEFAULTS = { graceMs: 60_000, maxRedeliveries: 3 } as const;

export async function recoverDeliveries(deps: RecoveryDeps, options: RecoveryOptions): Promise<RecoveryOutcome> {
  const now = deps.now?.() ?? Date.now();
  const octokit = await deps.appClient();
  const attempts = await readLog(octokit, options.since);

  // The newest attempt of each delivery the intake would have recorded.
  const newest = new Map<string, DeliveryAttempt>();
  for (const attempt of attempts) {
    if (!isIntakeEvent(attempt.event, attempt.action)) continue;
    const seen = newest.get(attempt.guid);
    if (!seen || attempt.id > seen.id) newest.set(attempt.guid, attempt);
  }
  // One still in the intake writer's hands, or a redelivery still on its way, is not missing yet.
  const settled = [...newest.values()].filter((a) => now - a.delivered_at.getTime() >= options.graceMs);
  const known = await deps.store.knownDeliveries(settled.map((a) => a.guid));

  const outcome: RecoveryOutcome = { scanned: attempts.length, redelivered: [], givenUp: [] };
  for (const attempt of settled) {
    if (known.has(attempt.guid)) continue;
    if (!(await claimRedelivery(deps.store, attempt.guid, options.maxRedeliveries))) {
      outcome.givenUp.push(attempt.guid);
      continue;
    }
    const about = { delivery: attempt.guid, event: attempt.event, action: attempt.action, status: attempt.status_code, at: attempt.delivered_at };
    try {
      await octokit.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: attempt.id });
    } catch (error) {
      deps.log.warn({ ...about, err: error }, "GitHub would not send a missing webhook delivery again");
      continue;
    }
    outcome.redelivered.push(attempt.guid);
    deps.log.info(about, "webhook delivery never recorded; asked GitHub to send it again");
  }
  if (outcome.givenUp.length > 0) {
    deps.log.warn(
      { deliveries: outcome.givenUp, times: options.maxRedeliveries },
      "webhook deliveries still missing after being sent again; giving them up",
    );
  }
  return outcome;
}

/** The log, newest first, back to `since`: pages stop being read once they reach older attempts. */
async function readLog(octokit: Pick<GitHubClient, "paginate">, since: Date): Promise<DeliveryAttempt[]> {
  const attempts: DeliveryAttempt[] = [];
  for await (const page of octokit.paginate.iterator("GET /app/hook/deliveries", { per_page: 100 })) {
    const parsed = deliveryAttempt.array().safeParse(page.data);
    if (!parsed.success) throw new Error(`GitHub's delivery log had an unexpected shape: ${parsed.error.issues[0]?.message ?? "?"}`);
    const recent = parsed.data.filter((a) => a.delivered_at >= since);
    attempts.push(...recent);
    if (recent.length < parsed.data.length) break;
  }
  return attempts;
}

/**
 * Claims the next of `max` redeliveries of one delivery, in the store so that workers taking turns
 * at the pass share the count; false when all are used.
 */
async function claimRedelivery(store: Pick<Store, "claimNotice">, guid: string, max: number): Promise<boolean> {
  for (let n = 1; n <= max; n++) {
    if (await store.claimNotice(`redeliver:${guid}:${n}`)) return true;
  }
  return false;
}
