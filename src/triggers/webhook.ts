import type { Logger } from "pino";
import { z } from "zod";
import type { Delivery } from "../store/types.js";
import { requestFromWebhook } from "./requests.js";
import { type TriggerRequest } from "../core/trigger.js";

/** The events the intake listens to, as Probot names them; the recovery pass looks for the same. */
export const INTAKE_EVENTS = [
  "issues.labeled",
  "issue_comment.created",
  "pull_request",
  "pull_request_review.submitted",
  "check_suite.completed",
  "check_run.completed",
] as const;

/** Whether a delivery of this event and action reaches the intake (and so is recorded as seen). */
export function isIntakeEvent(event: string, action: string | null | undefined): boolean {
  return INTAKE_EVENTS.some((name) => name === event || name === `${event}.${action ?? ""}`);
}

/** One webhook delivery the intake took: always recorded as seen; queued when it asks for something. */
export interface IntakeEntry {
  delivery: Delivery;
  request?: TriggerRequest;
}

export interface WebhookIntakeDeps {
  /**
   * Takes the delivery, to be recorded as seen and, with a request, queued for the intake job that
   * does the slower checks (permissions, config) and starts the run. Returns at once: the write
   * happens behind the response. Throws when it cannot take more.
   */
  accept: (entry: IntakeEntry) => void;
  appId: number | undefined;
  log: Pick<Logger, "debug">;
}

export interface WebhookEvent {
  id: string;
  name: string;
  payload: unknown;
}

const located = z.object({
  action: z.string().optional().catch(undefined),
  repository: z.object({ full_name: z.string() }).optional().catch(undefined),
});

/**
 * The webhook handler. GitHub waits for it (and Probot answers only once it returns), so it does
 * the cheap part only: decide from the payload and hand the delivery to the intake writer.
 * Everything that needs GitHub happens in the intake job, moments later.
 */
export function createWebhookIntake(deps: WebhookIntakeDeps) {
  return function handleWebhook(event: WebhookEvent): void {
    const where = located.safeParse(event.payload);
    const delivery: Delivery = {
      id: event.id,
      event: event.name,
      ...(where.data?.action ? { action: where.data.action } : {}),
      ...(where.data?.repository ? { repo: where.data.repository.full_name } : {}),
    };
    const decision = requestFromWebhook(event.name, event.payload, event.id, deps.appId);
    if ("ignored" in decision) {
      deps.log.debug({ delivery: event.id, event: event.name, reason: decision.ignored }, "webhook ignored");
      deps.accept({ delivery });
      return;
    }
    deps.accept({ delivery, request: decision.request });
  };
}
