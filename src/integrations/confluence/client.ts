import type { z } from "zod";
import { type RestLimits, parseJson, restRequest } from "../kinds/rest.js";
import { RemoteError } from "../kinds/status.js";
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

export interface ConfluenceClientOptions extends RestLimits {
  /** The site, such as https://example.atlassian.net; the wiki is under /wiki. */
  baseUrl: string;
  email: string;
  apiToken: string;
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
  request<Schema extends z.ZodType>(method: string, path: string, schema: Schema, body?: unknown): Promise<z.output<Schema>> {
    return restRequest({
      tool: "Confluence",
      method,
      url: new URL(path.replace(/^\/(wiki\/)?/, ""), this.wikiUrl).toString(),
      authorization: this.auth,
      schema,
      ...(body === undefined ? {} : { body }),
      messages: confluenceMessages,
      fail: (status, message) => new ConfluenceError(status, message),
      limits: this.options,
    });
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
