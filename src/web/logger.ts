import { getTransformStream } from "@probot/pino";
import { pino, type Logger } from "pino";
import type { AppConfig } from "../config/env.js";
import { REDACTED, redact } from "../core/redactor.js";

/**
 * A run link's signature opens the run's page (web/run-links.ts): the access log keeps which run
 * was opened, not the key to it. Only here — the links the app posts must keep theirs.
 */
const LINK_SIGNATURE = /([?&]sig=)[A-Za-z0-9_-]+/g;

/**
 * The process logger, formatted the way Probot formats its own (pretty in development, JSON in
 * production). Keys that can carry credentials are censored wherever they appear, every line
 * passes through the redactor on its way out (a secret inside a message or an error is removed
 * whatever its key), and errors are logged without the webhook payloads they may carry.
 * `destination` is standard output but in tests.
 */
export async function createLogger(
  config: Pick<AppConfig, "LOG_LEVEL" | "logFormat">,
  // SonicBoom is a writable stream but its typings do not declare Node's WritableStream shape.
  destination: NodeJS.WritableStream = pino.destination(1) as unknown as NodeJS.WritableStream,
): Promise<Logger> {
  const transform = await getTransformStream({ logFormat: config.logFormat });
  transform.pipe(destination);
  return pino(
    {
      level: config.LOG_LEVEL,
      name: "ai-agent",
      serializers: { err: errorWithoutPayload },
      // The finished JSON line, child loggers' (Probot's, its HTTP access log) included.
      hooks: { streamWrite: (line) => oneName(redact(line).replace(LINK_SIGNATURE, `$1${REDACTED}`)) },
      redact: {
        paths: [
          "privateKey",
          "*.privateKey",
          "token",
          "*.token",
          "secret",
          "*.secret",
          "password",
          "*.password",
          "authorization",
          "*.authorization",
          "headers.authorization",
          "*.headers.authorization",
          'req.headers["x-hub-signature-256"]',
          "apiKey",
          "*.apiKey",
          'headers["x-api-key"]',
          '*.headers["x-api-key"]',
        ],
        censor: "[redacted]",
      },
    },
    transform,
  );
}

/**
 * pino writes each child's bindings after its parent's without merging them, so a line of Probot's
 * HTTP log (`ai-agent` → `server` → `http`) carried `"name"` three times: JSON that parsers read
 * differently (most keep the last, some the first, strict ones refuse the line). The line keeps
 * one `name`, the innermost logger's; every other key is left as it was written.
 */
export function oneName(line: string): string {
  const first = line.indexOf('"name":');
  // Inside a JSON string a quote is escaped, so an unescaped `"name":` is a key, at some depth.
  if (first === -1 || line.indexOf('"name":', first + 1) === -1 || !line.startsWith("{")) return line;
  try {
    // JSON.parse keeps the last of repeated keys, at the place of the first; nothing else changes.
    return `${JSON.stringify(JSON.parse(line))}\n`;
  } catch {
    return line;
  }
}

/**
 * pino's error serializer, minus the delivery @octokit/webhooks attaches to its errors as `event`
 * (on the error and on each of an AggregateError's errors): a handler's failure, or a bad signature
 * that reached Probot, was logged with the whole payload — 10 MiB sent became 31 MB of log. The
 * delivery's id and event name stay.
 */
export function errorWithoutPayload(error: unknown): unknown {
  return withoutPayload(pino.stdSerializers.err(error as Error));
}

function withoutPayload(serialized: unknown): unknown {
  if (!serialized || typeof serialized !== "object") return serialized;
  const { event, aggregateErrors, ...rest } = serialized as Record<string, unknown>;
  return {
    ...rest,
    ...(event !== undefined ? { event: deliveryOf(event) } : {}),
    ...(Array.isArray(aggregateErrors) ? { aggregateErrors: aggregateErrors.map(withoutPayload) } : {}),
  };
}

function deliveryOf(event: unknown): { id?: unknown; name?: unknown } {
  const { id, name } = (event !== null && typeof event === "object" ? event : {}) as { id?: unknown; name?: unknown };
  return { id, name };
}
