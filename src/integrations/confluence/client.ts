import { setTimeout as sleep } from "node:timers/promises";
import type { z } from "zod";
import { redactDeep } from "../../core/redactor.js";
import { RemoteError, fetchWithin } from "../kinds/status.js";
import { v1Error, v2Errors } from "./schema.js";

/**
 * Confluence Cloud's REST API over fetch, with Basic auth of an Atlassian account's email and API
 * token: v2 (`/wiki/api/v2`) for spaces, pages and their properties, v1 (`/wiki/rest/api`) for CQL
 * search and labels. 429 and 503 answers are retried after their Retry-After; other errors carry
 * Confluence's own words and the call, never the credentials.
 */

export class ConfluenceError extends RemoteError {
  override name = "ConfluenceError";
}

export interface ConfluenceClientOptions {
  /** The site, such as https://example.atlassian.net; the wiki is under /wiki. */
  baseUrl: string;
  email: string;
  apiToken: string;
  maxRetries?: number;
  /** The longest a Retry-After is waited for, in ms. */
  maxWaitMs?: number;
  /** How long one request may take before it is given up, in ms (30 s): a tool that never answers holds no queue for ever. */
  timeoutMs?: number;
}

export class ConfluenceClient {
  private readonly auth: string;
  /** The wiki's root, ending in /wiki/. */
  readonly wikiUrl: string;

  constructor(private readonly options: ConfluenceClientOptions) {
    this.auth = `Basic ${Buffer.from(`${options.email}:${options.apiToken}`).toString("base64")}`;
    const site = options.baseUrl.replace(/\/+$/, "").replace(/\/wiki$/, "");
    this.wikiUrl = `${site}/wiki/`;
  }

  /** `path` is relative to the wiki (`api/v2/pages`), or a `_links.next` as Confluence gives it (`/wiki/api/v2/…` or `/rest/api/…`). */
  async request<Schema extends z.ZodType>(method: string, path: string, schema: Schema, body?: unknown): Promise<z.output<Schema>> {
    const url = new URL(path.replace(/^\/(wiki\/)?/, ""), this.wikiUrl).toString();
    const call = `${method} ${new URL(url).pathname}`;
    const retries = this.options.maxRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      const response = await fetchWithin("Confluence", call, url, {
        method,
        headers: { authorization: this.auth, accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
        // Pages leave with no secret the process knows in them.
        ...(body === undefined ? {} : { body: JSON.stringify(redactDeep(body)) }),
      }, this.options.timeoutMs ?? 30_000, (message) => new ConfluenceError(0, message));
      if ((response.status === 429 || response.status === 503) && attempt < retries) {
        await sleep(Math.min(retryAfterMs(response.headers.get("retry-after"), attempt), this.options.maxWaitMs ?? 60_000));
        continue;
      }
      const text = await response.text();
      if (!response.ok) throw new ConfluenceError(response.status, `Confluence answered ${response.status} to ${call}: ${confluenceMessages(text)}`);
      const json = text ? parseJson(text) : {};
      if (json === undefined) throw new ConfluenceError(response.status, `Confluence answered ${call} with a body that is not JSON: ${text.slice(0, 80)}`);
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        const where = parsed.error.issues.map((issue) => `${issue.path.join(".") || "the body"}: ${issue.message}`).join("; ");
        throw new ConfluenceError(response.status, `Confluence answered ${call} with an unexpected body (${where})`);
      }
      return parsed.data;
    }
  }

  /** A page's address as people open it, from its `_links.webui` (relative to the wiki). */
  webUrl(webui: string | undefined, id: string): string {
    const fallback = new URL(`pages/viewpage.action?pageId=${encodeURIComponent(id)}`, this.wikiUrl).toString();
    if (!webui) return fallback;
    // Only an address on the wiki's own site: a path such as "//elsewhere.example" would leave it.
    const url = new URL(webui.replace(/^\/+/, ""), this.wikiUrl);
    return url.origin === new URL(this.wikiUrl).origin ? url.toString() : fallback;
  }
}

function retryAfterMs(header: string | null, attempt: number): number {
  const seconds = Number(header ?? Number.NaN);
  return Number.isFinite(seconds) ? Math.max(0, seconds * 1000) : 1000 * 2 ** attempt;
}

/** v2's error titles and details, v1's message, or the start of the body. */
function confluenceMessages(text: string): string {
  const json = parseJson(text);
  const v2 = v2Errors.safeParse(json);
  if (v2.success && v2.data.errors.length > 0) {
    return v2.data.errors.map((error) => [error.title, error.detail].filter(Boolean).join(": ") || error.code || "no details").join("; ");
  }
  const v1 = v1Error.safeParse(json);
  if (v1.success) return v1.data.message;
  return text.slice(0, 200) || "no details";
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
