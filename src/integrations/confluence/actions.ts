import { z } from "zod";
import { type ActionContext, type RegisteredAction, defineAction } from "../../core/action.js";
import { UserFacingError } from "../../core/errors.js";
import type { DocStore } from "../kinds/doc-store.js";
import { SPACE_KEY, pageId } from "./settings.js";

/**
 * Confluence's operations as workflow actions: `docs.confluence.publish` puts Markdown (a plan, a
 * step's output) on a page, updated in place when the same key is published again, and
 * `docs.confluence.search` finds pages. They use the server's credentials and the repository's
 * `docs.confluence` (its space and parent page).
 */

function confluence(context: ActionContext, action: string): DocStore {
  const connected = context.services.integrations;
  if (!connected) throw new UserFacingError(`${action} needs the integrations, and this run has none.`);
  const docs = connected.confluence?.docs;
  if (!docs) throw new UserFacingError(`${action} needs CONFLUENCE_BASE_URL, CONFLUENCE_EMAIL and CONFLUENCE_API_TOKEN on the server.`);
  return docs;
}

const space = z
  .string()
  .regex(SPACE_KEY, 'expected a Confluence space key, such as "ENG"')
  .optional()
  .describe("The space's key; docs.confluence.space when absent.");

export const confluenceActions: readonly RegisteredAction[] = [
  defineAction({
    name: "docs.confluence.publish",
    description: "Publishes Markdown as a Confluence page under docs.confluence's space and parent; publishing the same key again updates that page.",
    input: z.strictObject({
      title: z.string().min(1, "expected the page's title").max(255, "expected a title of at most 255 characters").describe("The page's title; a template."),
      body: z.string().min(1, "expected the page's text").describe("The page's text in Markdown, such as \"{{ steps.plan.outputs.body }}\"."),
      key: z
        .string()
        .regex(/^[A-Za-z0-9._:/-]{1,100}$/, "expected letters, digits and . _ : / - (at most 100)")
        .optional()
        .describe("What the page is (such as plan-42): the same key updates the same page. The issue's number and the step's id when absent."),
      space,
      parent: pageId.optional().describe("The parent page's id; docs.confluence.parent when absent."),
    }),
    outputs: { id: "the page's id", url: "its address", title: "its title", created: "whether this step made it (false: updated)", version: "its version number" },
    async run(input, context) {
      const docs = confluence(context, "docs.confluence.publish");
      const { owner, repo, number } = context.target;
      // Keys are a repository's own: two repositories publishing "plan-1" get two pages.
      const key = `${owner}/${repo}:${input.key ?? `${number}:${context.stepId ?? "publish"}`}`;
      const published = await docs.publish({ key, title: input.title, body: input.body, ...(input.space ? { space: input.space } : {}), ...(input.parent ? { parent: input.parent } : {}) });
      return { id: published.id, url: published.url, title: published.title, created: published.created, version: published.version };
    },
  }),
  defineAction({
    name: "docs.confluence.search",
    description: "Searches a Confluence space's pages.",
    input: z.strictObject({
      query: z.string().min(1, "expected what to search for").max(200, "expected at most 200 characters").describe("The words to find; a template."),
      space,
      limit: z.number().int().min(1).max(25).default(5).describe("Pages at most, 1 to 25."),
    }),
    outputs: { pages: "the pages found, a list of { id, title, url }, best first", list: "a Markdown list of them, linked" },
    async run(input, context) {
      const found = await confluence(context, "docs.confluence.search").search(input.query, { limit: input.limit, ...(input.space ? { space: input.space } : {}) });
      return { pages: found, list: found.map((page) => `- [${page.title.replace(/[[\]]/g, "")}](${page.url})`).join("\n") };
    },
  }),
];
