import { Probot } from "probot";
import type { MetricsRecorder } from "../core/metrics.js";
import { MAX_WEBHOOK_BYTES, type WebhookMiddleware, guardWebhooks } from "./webhook-guard.js";

type NodeMiddleware = Awaited<ReturnType<Probot["getNodeMiddleware"]>>;

/**
 * Probot whose webhook middleware is guarded (see webhook-guard.ts). Probot's Server puts that
 * middleware first, ahead of every handler added with addHandler, so a handler cannot stand in
 * front of it; the middleware itself has to be wrapped. Probot's Server builds the instance
 * itself, so what the guard reports to (the metrics) is given to the class.
 */
export function guardedProbot(metrics?: Pick<MetricsRecorder, "delivery">): typeof Probot {
  return class GuardedProbot extends Probot {
    override async getNodeMiddleware(options: Parameters<Probot["getNodeMiddleware"]>[0] = {}): Promise<NodeMiddleware> {
      const middleware: WebhookMiddleware = await super.getNodeMiddleware(options);
      const guarded = guardWebhooks(middleware, {
        path: options.path ?? this.webhookPath,
        maxBytes: MAX_WEBHOOK_BYTES,
        verify: (payload, signature) => this.webhooks.verify(payload, signature),
        log: options.log ?? this.log,
        ...(metrics ? { refused: (event, reason) => metrics.delivery(event, reason === "too large" ? "refused_too_large" : "refused_bad_signature") } : {}),
      });
      // Its declared type says `next: Function`; the middleware only ever calls it without arguments.
      return guarded as NodeMiddleware;
    }
  };
}

/** The guarded Probot that reports to no metrics. */
export const GuardedProbot = guardedProbot();
