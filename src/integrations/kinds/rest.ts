import { setTimeout as sleep } from "node:timers/promises";
import type { z } from "zod";
import { redactDeep } from "../../core/redactor.js";
import { type RemoteError, fetchWithin } from "./status.js";

/**
 * One call of a tool's JSON REST API, as the Atlassian clients (Jira, Confluence) make them: the
 * body leaves with no secret the process knows in it, 429 and 503 answers are waited out after
 * their Retry-After (a few times, each wait capped), and every answer is checked against its
 * schema — an error names the tool, the call and what the tool said, never the credentials.
 */

/** How long a client waits, and how often it asks again. */
export interface RestLimits {
  maxRetries?: number;
  /** The longest a Retry-After is waited for, in ms. */
  maxWaitMs?: number;
  /** How long one request may take before it is given up, in ms (30 s): a tool that never answers holds no queue for ever. */
  timeoutMs?: number;
}

export interface RestCall<Schema extends z.ZodType> {
  /** As people know it, for messages: "Jira". */
  tool: string;
  method: string;
  url: string;
  authorization: string;
  schema: Schema;
  body?: unknown;
  /** The tool's own words from an error answer's body. */
  messages: (text: string) => string;
  /** The client's own error, with the answer's status (0 when there was none). */
  fail: (status: number, message: string) => RemoteError;
  limits: RestLimits;
}

export async function restRequest<Schema extends z.ZodType>(call: RestCall<Schema>): Promise<z.output<Schema>> {
  const { tool, method, url, body } = call;
  const named = `${method} ${new URL(url).pathname}`;
  const { limits } = call;
  const retries = limits.maxRetries ?? 3;
  for (let attempt = 0; ; attempt++) {
    const init: RequestInit = {
      method,
      headers: { authorization: call.authorization, accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(redactDeep(body)) }),
    };
    const response = await fetchWithin(tool, named, url, init, limits.timeoutMs ?? 30_000, (message) => call.fail(0, message));
    if ((response.status === 429 || response.status === 503) && attempt < retries) {
      await sleep(Math.min(retryAfterMs(response.headers.get("retry-after"), attempt), limits.maxWaitMs ?? 60_000));
      continue;
    }
    const text = await response.text();
    if (!response.ok) throw call.fail(response.status, `${tool} answered ${response.status} to ${named}: ${call.messages(text)}`);
    // An empty body (a 204) reads as {}.
    const json = text ? parseJson(text) : {};
    if (json === undefined) throw call.fail(response.status, `${tool} answered ${named} with a body that is not JSON: ${text.slice(0, 80)}`);
    const parsed = call.schema.safeParse(json);
    if (!parsed.success) {
      const where = parsed.error.issues.map((issue) => `${issue.path.join(".") || "the body"}: ${issue.message}`).join("; ");
      throw call.fail(response.status, `${tool} answered ${named} with an unexpected body (${where})`);
    }
    return parsed.data;
  }
}

/** Retry-After in seconds or as a date; a doubling backoff without one. */
function retryAfterMs(header: string | null, attempt: number): number {
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  return 1000 * 2 ** attempt;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
