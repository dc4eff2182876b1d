import type { Logger } from "pino";
import type { Store } from "../store/types.js";
import { type TriggerRequest, requestFromWebhook } from "./requests.js";

export interface WebhookIntakeDeps {
  store: Pick<Store, "recordDelivery" | "forgetDelivery">;
  /** Queues the intake job that does the slower checks (permissions, config) and starts the run. */
  enqueue: (request: TriggerRequest) => Promise<void>;
  appId: number | undefined;
  log: Pick<Logger, "debug" | "info">;
}

export interface WebhookEvent {
  id: string;
  name: string;
  payload: unknown;
}

/**
 * The webhook handler. GitHub waits for it (and Probot answers only once it returns), so it does
 * the cheap part only: decide from the payload, record the delivery (a redelivery stops here),
 * queue the intake job. Everything that needs GitHub happens in that job, moments later.
 */
export function createWebhookIntake(deps: WebhookIntakeDeps) {
  return async function handleWebhook(event: WebhookEvent): Promise<void> {
    const decision = requestFromWebhook(event.name, event.payload, event.id, deps.appId);
    if ("ignored" in decision) {
      deps.log.debug({ delivery: event.id, event: event.name, reason: decision.ignored }, "webhook ignored");
      return;
    }
    const { request } = decision;
    const repo = `${request.owner}/${request.repo}`;
    const fresh = await deps.store.recordDelivery({ id: event.id, event: event.name, action: request.detail.type, repo });
    if (!fresh) {
      deps.log.info({ delivery: event.id, repo }, "redelivered webhook ignored");
      return;
    }
    try {
      await deps.enqueue(request);
    } catch (error) {
      // Forget the delivery so GitHub's redelivery of it is not taken for a duplicate and lost.
      await deps.store.forgetDelivery(event.id).catch(() => undefined);
      throw error;
    }
  };
}
