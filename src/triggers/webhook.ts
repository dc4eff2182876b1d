import type { Logger } from "pino";
import { type TriggerRequest, requestFromWebhook } from "./requests.js";

export interface WebhookIntakeDeps {
  /**
   * Queues the intake job that does the slower checks (permissions, config) and starts the run,
   * once per delivery id; false when that delivery was already queued (a redelivery).
   */
  enqueue: (request: TriggerRequest) => Promise<boolean>;
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
 * the cheap part only: decide from the payload and queue the intake job — one durable write, which
 * a redelivery of the same delivery id fails by a unique index. Everything that needs GitHub
 * happens in that job, moments later.
 */
export function createWebhookIntake(deps: WebhookIntakeDeps) {
  return async function handleWebhook(event: WebhookEvent): Promise<void> {
    const decision = requestFromWebhook(event.name, event.payload, event.id, deps.appId);
    if ("ignored" in decision) {
      deps.log.debug({ delivery: event.id, event: event.name, reason: decision.ignored }, "webhook ignored");
      return;
    }
    const { request } = decision;
    if (!(await deps.enqueue(request))) {
      deps.log.info({ delivery: event.id, repo: `${request.owner}/${request.repo}` }, "redelivered webhook ignored");
    }
  };
}
