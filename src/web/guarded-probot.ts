import { Probot } from "probot";
import { MAX_WEBHOOK_BYTES, type WebhookMiddleware, guardWebhooks } from "./webhook-guard.js";

type NodeMiddleware = Awaited<ReturnType<Probot["getNodeMiddleware"]>>;

/**
 * Probot whose webhook middleware is guarded (see webhook-guard.ts). Probot's Server puts that
 * middleware first, ahead of every handler added with addHandler, so a handler cannot stand in
 * front of it; the middleware itself has to be wrapped.
 */
export class GuardedProbot extends Probot {
  override async getNodeMiddleware(options: Parameters<Probot["getNodeMiddleware"]>[0] = {}): Promise<NodeMiddleware> {
    const middleware: WebhookMiddleware = await super.getNodeMiddleware(options);
    const guarded = guardWebhooks(middleware, {
      path: options.path ?? this.webhookPath,
      maxBytes: MAX_WEBHOOK_BYTES,
      verify: (payload, signature) => this.webhooks.verify(payload, signature),
      log: options.log ?? this.log,
    });
    // Its declared type says `next: Function`; the middleware only ever calls it without arguments.
    return guarded as NodeMiddleware;
  }
}
