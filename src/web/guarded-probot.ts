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
      const checked = checkOnce(this.webhooks);
      const guarded = guardWebhooks(middleware, {
        path: options.path ?? this.webhookPath,
        maxBytes: MAX_WEBHOOK_BYTES,
        verify: async (payload, signature) => {
          const matches = await this.webhooks.verify(payload, signature);
          if (matches) checked.add(signature, payload);
          return matches;
        },
        log: options.log ?? this.log,
        ...(metrics ? { refused: (event, reason) => metrics.delivery(event, reason === "too large" ? "refused_too_large" : "refused_bad_signature") } : {}),
      });
      // Its declared type says `next: Function`; the middleware only ever calls it without arguments.
      return guarded as NodeMiddleware;
    }
  };
}

type Webhooks = Probot["webhooks"];
type SignedEvent = Parameters<Webhooks["verifyAndReceive"]>[0];

/** Deliveries the guard checked and has not handed on yet: more are dropped, oldest first (their requests died on the way). */
const MAX_CHECKED = 1_000;

/**
 * The guard checks each delivery's signature before Probot's middleware sees it, and the middleware
 * would check it again: a second HMAC of the whole payload with the same secret, on every webhook.
 * Here the middleware's check is skipped for a delivery the guard has just checked — the very same
 * payload text under the very same signature, so nothing is taken on trust — and anything else,
 * whoever calls it, is checked as before.
 */
function checkOnce(webhooks: Webhooks): { add(signature: string, payload: string): void } {
  const pairs = new Map<string, string>();
  const verifyAndReceive = webhooks.verifyAndReceive;
  webhooks.verifyAndReceive = async (event: SignedEvent) => {
    if (pairs.get(event.signature) !== event.payload) return verifyAndReceive(event);
    pairs.delete(event.signature);
    let payload: unknown;
    try {
      payload = JSON.parse(event.payload);
    } catch (error) {
      // As verifyAndReceive answers a body that is not JSON: 400.
      throw new AggregateError([Object.assign(error as Error, { message: "Invalid JSON", status: 400 })], "Invalid JSON");
    }
    // The event's name and payload are @octokit/webhooks' to type; it parses and receives them the same way.
    return webhooks.receive({ id: event.id, name: event.name, payload } as Parameters<Webhooks["receive"]>[0]);
  };
  return {
    add(signature, payload) {
      if (pairs.size >= MAX_CHECKED) pairs.delete(pairs.keys().next().value as string);
      pairs.set(signature, payload);
    },
  };
}

/** The guarded Probot that reports to no metrics. */
export const GuardedProbot = guardedProbot();
