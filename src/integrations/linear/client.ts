import { setTimeout as sleep } from "node:timers/promises";
import type { z } from "zod";
import { redactDeep } from "../../core/redactor.js";
import { parseJson } from "../kinds/rest.js";
import { RemoteError, fetchWithin } from "../kinds/status.js";
import { graphqlErrors } from "./schema.js";

/**
 * Linear's GraphQL API, over fetch with the app's own operations and zod schemas of their answers.
 * (The @linear/sdk client classifies errors by `extensions.type`, so Linear's `RATELIMITED` code on
 * a 400 reads as an authentication error there, and its errors keep the request's variables — a
 * comment's text — for anyone who logs them.) A `RATELIMITED` answer is waited out until the
 * `X-RateLimit-Requests-Reset` time it gives; other errors carry Linear's own messages, never the
 * API key.
 */

export class LinearError extends RemoteError {
  override name = "LinearError";
  constructor(
    status: number,
    message: string,
    /** The first error's `extensions.code`, such as `INVALID_INPUT`. */
    readonly code?: string,
  ) {
    super(status, message);
  }
}

export const DEFAULT_LINEAR_API_URL = "https://api.linear.app/graphql";

export interface LinearClientOptions {
  apiKey: string;
  apiUrl?: string;
  maxRetries?: number;
  /** The longest a rate limit is waited out, in ms. */
  maxWaitMs?: number;
  /** How long one request may take before it is given up, in ms (30 s): a tool that never answers holds no queue for ever. */
  timeoutMs?: number;
}

export class LinearClient {
  constructor(private readonly options: LinearClientOptions) {}

  /** Runs one operation; `operation` names it in errors (the query itself may be long). */
  async request<Schema extends z.ZodType>(operation: string, query: string, variables: Record<string, unknown>, schema: Schema): Promise<z.output<Schema>> {
    const url = this.options.apiUrl ?? DEFAULT_LINEAR_API_URL;
    const retries = this.options.maxRetries ?? 3;
    // Comments and issues leave with no secret the process knows in them.
    const body = JSON.stringify({ query, variables: redactDeep(variables) });
    for (let attempt = 0; ; attempt++) {
      const response = await fetchWithin("Linear", operation, url, {
        method: "POST",
        // A personal API key goes as it is; an OAuth token would be "Bearer …".
        headers: { authorization: this.options.apiKey, "content-type": "application/json", accept: "application/json" },
        body,
      }, this.options.timeoutMs ?? 30_000, (message) => new LinearError(0, message));
      const text = await response.text();
      const json = parseJson(text);
      const errors = graphqlErrors.safeParse(json).data?.errors ?? [];
      const limited = response.status === 429 || errors.some((error) => error.extensions?.code === "RATELIMITED");
      if (limited && attempt < retries) {
        await sleep(Math.min(resetWaitMs(response.headers, attempt), this.options.maxWaitMs ?? 60_000));
        continue;
      }
      if (errors.length > 0) {
        const messages = errors.map((error) => error.extensions?.userPresentableMessage ?? error.message).filter(Boolean);
        throw new LinearError(response.status, `Linear answered ${operation} with ${limited ? "its rate limit" : "an error"}: ${messages.join("; ") || "no details"}`, errors[0]?.extensions?.code);
      }
      if (!response.ok) throw new LinearError(response.status, `Linear answered ${response.status} to ${operation}: ${text.slice(0, 200) || "no details"}`);
      if (json === undefined) throw new LinearError(response.status, `Linear answered ${operation} with a body that is not JSON: ${text.slice(0, 80)}`);
      const parsed = schema.safeParse((json as { data?: unknown }).data);
      if (!parsed.success) {
        const where = parsed.error.issues.map((issue) => `${issue.path.join(".") || "data"}: ${issue.message}`).join("; ");
        throw new LinearError(response.status, `Linear answered ${operation} with an unexpected body (${where})`);
      }
      return parsed.data;
    }
  }
}

/** Until the window's reset (`X-RateLimit-Requests-Reset`, epoch milliseconds), or Retry-After, or a backoff. */
function resetWaitMs(headers: Headers, attempt: number): number {
  const reset = Number(headers.get("x-ratelimit-requests-reset") ?? headers.get("x-ratelimit-complexity-reset") ?? Number.NaN);
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset - Date.now());
  const retryAfter = Number(headers.get("retry-after") ?? Number.NaN);
  if (Number.isFinite(retryAfter)) return Math.max(0, retryAfter * 1000);
  return 1000 * 2 ** attempt;
}
