import { UserFacingError } from "../core/errors.js";
import type { RunIntegrations } from "../integrations/kinds/parts.js";
import type { DocContextRequest } from "../integrations/kinds/doc-store.js";
import { RemoteError } from "../integrations/kinds/status.js";
import { sanitize } from "./sanitize.js";

/**
 * The documentation pages a planner reads (`plan.context.<id>` in `.github/ai-agent.yml`): each
 * doc store named there is searched (for the configured query, or the issue's title) and its
 * pages read. A page is text anyone with edit rights on the wiki wrote, so it is given to the
 * model as the issue's text is — what does not render removed, its block closed only by us — and
 * as reference, not instructions. A store that cannot be read leaves the plan without its pages
 * and says why; it never stops the plan.
 */

/** The most of one page the planner reads, and of all of them. */
const PAGE_CHARS = 8_000;
const TOTAL_CHARS = 24_000;

export interface ContextDocument {
  /** The doc store's id, such as "confluence". */
  source: string;
  title: string;
  url: string;
  body: string;
  /** Whether the page was longer than what is given. */
  truncated: boolean;
}

export interface DocContext {
  documents: ContextDocument[];
  /** Why a store's pages are missing, one line each, for the people who asked. */
  problems: string[];
}

/** The closing tag of the prompt's page block, defused in a page's text. */
const BLOCK_END = /<\/(document)\b/gi;

function untrusted(text: string): string {
  return sanitize(text).replace(BLOCK_END, "<\\/$1");
}

/** For an attribute of the page's tag: one line, no quotes or angle brackets. */
function attribute(text: string): string {
  return untrusted(text).replace(/["<>\r\n]/g, " ").slice(0, 200);
}

/** A remote's answer is its own words, with no credential in them; of anything else only its kind is told. */
function whyUnread(id: string, error: unknown): string {
  if (error instanceof RemoteError || error instanceof UserFacingError) return error.message;
  return `${id} could not be reached (${error instanceof Error ? error.name : "unknown error"}).`;
}

export async function readDocContext(requests: Readonly<Record<string, unknown>>, integrations: RunIntegrations | undefined, issueTitle: string): Promise<DocContext> {
  const documents: ContextDocument[] = [];
  const problems: string[] = [];
  let left = TOTAL_CHARS;
  for (const [id, value] of Object.entries(requests)) {
    // Each store's schema parsed its own request (`context` of its integration); absent is not asked for.
    const request = value as DocContextRequest | undefined;
    if (!request) continue;
    const docs = integrations?.[id]?.docs;
    if (!docs) {
      problems.push(`plan.context.${id}: the server is not connected to ${id}, so its pages were not read.`);
      continue;
    }
    const query = request.query ?? sanitize(issueTitle).slice(0, 200);
    try {
      const found = await docs.search(query, { limit: request.limit, ...(request.space ? { space: request.space } : {}) });
      for (const page of found.slice(0, request.limit)) {
        if (left <= 0) break;
        const { body } = await docs.read(page.id);
        const text = untrusted(body);
        const given = text.slice(0, Math.min(PAGE_CHARS, left));
        left -= given.length;
        documents.push({ source: attribute(id), title: attribute(page.title), url: attribute(page.url), body: given, truncated: given.length < text.length });
      }
    } catch (error) {
      problems.push(`plan.context.${id}: ${whyUnread(id, error)}`);
    }
  }
  return { documents, problems };
}
