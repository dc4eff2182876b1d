import { z } from "zod";
import { nonEmptyString, optional, optionalSection, wholeNumber } from "../../core/schema-helpers.js";
import type { DocContextRequest } from "../kinds/doc-store.js";

/**
 * `docs.confluence` in `.github/ai-agent.yml`: where the app publishes (a space, and a parent page
 * under it), and whether plans are published; `plan.context.confluence`: what the planner reads.
 */

/** A space key as Confluence shows it: letters and digits, or `~` and an account id for a personal space. */
export const SPACE_KEY = /^(~[A-Za-z0-9:_-]{1,128}|[A-Za-z0-9_]{1,255})$/;

const spaceKey = z
  .string({ error: (issue) => (issue.input === undefined ? 'required; the key of a Confluence space, such as "ENG"' : 'expected a Confluence space key, such as "ENG"') })
  .regex(SPACE_KEY, 'expected a Confluence space key, such as "ENG"');

/** A page id, as the page's address shows it (`…/pages/123456/…`). */
export const pageId = z
  .union([z.string(), z.number().int().positive()], 'expected a page id, such as "123456"')
  .transform(String)
  .pipe(z.string().regex(/^\d{1,20}$/, 'expected a page id: the number in the page\'s address, such as "123456"'));

export const confluenceSettingsSchema = optionalSection({
  space: spaceKey,
  parent: optional(pageId),
  publish_plans: z.boolean("expected true or false").default(false),
});

export type ConfluenceSettings = NonNullable<z.output<typeof confluenceSettingsSchema>>;

export const confluenceContextSchema: z.ZodType<DocContextRequest | undefined> = optionalSection({
  space: optional(spaceKey),
  query: optional(nonEmptyString('a search, such as "architecture"').pipe(z.string().max(200, "expected at most 200 characters"))),
  limit: wholeNumber(1, 10).default(3),
});
