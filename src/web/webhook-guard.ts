import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { declaresTooLarge, readBoundedBody, refuseTooLarge } from "./bounded-body.js";

/** GitHub caps webhook payloads at 25 MB and does not deliver larger ones; nothing real is bigger. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

/** @octokit/webhooks' Node middleware, as Probot's getNodeMiddleware returns it. */
export type WebhookMiddleware = (req: IncomingMessage, res: ServerResponse, next?: () => void) => Promise<boolean>;

export interface WebhookGuardOptions {
  /** The webhook path, as the middleware matches it. */
  path: string;
  maxBytes: number;
  /** The webhook secret's check of `sha256=…` against the body as text (Probot's own `webhooks.verify`). */
  verify: (payload: string, signature: string) => Promise<boolean>;
  log: Pick<Logger, "warn">;
  /** Hears of each delivery refused here, for the metrics; `event` is the header as sent. */
  refused?: (event: string, reason: "too large" | "bad signature") => void;
}

// The middleware's own tests for what it answers without reading the body (415, 400).
const JSON_CONTENT_TYPE = /^\s*(application\/json)\s*(?:;|$)/u;
const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Stands in front of Probot's webhook middleware, which reads any body whole and, on a bad
 * signature, logs the payload three times (10 MiB sent became 31 MB of log). Here a body over
 * `maxBytes` is refused with 413 — from its Content-Length before a byte is read, or as the count
 * passes the limit — and a delivery whose signature does not match is answered 400 and logged in one
 * line, without its payload. A signed body is handed on as `req.body`, which the middleware takes
 * instead of reading the stream again.
 */
export function guardWebhooks(middleware: WebhookMiddleware, options: WebhookGuardOptions): WebhookMiddleware {
  return async (req, res, next) => {
    if (req.method !== "POST" || pathOf(req.url) !== trimSlashes(options.path)) return middleware(req, res, next);
    const delivery = header(req, "x-github-delivery");
    const event = header(req, "x-github-event");
    const signature = header(req, "x-hub-signature-256");
    const who = { delivery: clip(delivery), event: clip(event) };

    if (declaresTooLarge(header(req, "content-length"), options.maxBytes)) {
      options.log.warn({ ...who, reason: "too large", declared: Number(header(req, "content-length")) }, "webhook refused: its Content-Length is over the limit");
      options.refused?.(event ?? "", "too large");
      refuseTooLarge(req, res, options.maxBytes);
      return true;
    }
    // Refused by the middleware without reading the body; it needs no guard.
    if (!JSON_CONTENT_TYPE.test(header(req, "content-type") ?? "") || !delivery || !event || !signature) return middleware(req, res, next);

    const body = await readBoundedBody(req, options.maxBytes);
    if (body.kind === "aborted") return true;
    if (body.kind === "too large") {
      options.log.warn({ ...who, reason: "too large", read: body.read }, "webhook refused: its body passed the limit");
      options.refused?.(event ?? "", "too large");
      refuseTooLarge(req, res, options.maxBytes);
      return true;
    }
    const payload = decoder.decode(body.bytes);
    if (!(await options.verify(payload, signature).catch(() => false))) {
      options.log.warn({ ...who, reason: "bad signature", bytes: body.bytes.length }, "webhook refused: its signature does not match the webhook secret");
      options.refused?.(event, "bad signature");
      const answer = JSON.stringify({ error: "Error: [@octokit/webhooks] signature does not match event payload and secret" });
      res.writeHead(400, { "content-type": "application/json", "content-length": Buffer.byteLength(answer) }).end(answer);
      return true;
    }
    (req as IncomingMessage & { body?: string }).body = payload;
    return middleware(req, res, next);
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The path exactly as @octokit/webhooks compares it, so that both agree on what is a delivery. */
function pathOf(url: string | undefined): string | undefined {
  try {
    return new URL(trimSlashes(url ?? "/"), "http://localhost").pathname;
  } catch {
    return undefined; // the middleware answers 422
  }
}

function trimSlashes(path: string): string {
  return path.replace(/\/+$/, "") || "/";
}

/** A header as logged: a stranger chooses it, so at most 100 characters of it. */
function clip(value: string | undefined): string | undefined {
  return value === undefined ? undefined : value.slice(0, 100);
}
