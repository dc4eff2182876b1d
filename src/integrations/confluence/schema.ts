import { z } from "zod";

/**
 * The parts of Confluence Cloud's answers the app reads, checked where they arrive: pages and
 * spaces from REST v2, and CQL search and labels from v1, which v2 has no equivalent of. Keys the
 * app does not read are let through.
 */

/** v2's errors: `{ errors: [{ status, code, title, detail }] }`. */
export const v2Errors = z.object({ errors: z.array(z.object({ code: z.string().optional(), title: z.string().nullish(), detail: z.string().nullish() })) });

/** v1's errors: `{ statusCode, message }`. */
export const v1Error = z.object({ message: z.string() });

const links = z.object({ webui: z.string().optional(), base: z.string().optional() }).default({});

export const page = z.object({
  id: z.string(),
  title: z.string(),
  spaceId: z.string().optional(),
  parentId: z.string().nullish(),
  version: z.object({ number: z.number().int() }),
  body: z.object({ storage: z.object({ value: z.string() }).optional() }).optional(),
  _links: links,
});
export type ConfluencePage = z.output<typeof page>;

/** A list of v2, its next page's path in `_links.next`. */
const v2List = <Item extends z.ZodType>(item: Item) => z.object({ results: z.array(item), _links: z.object({ next: z.string().optional() }).default({}) });

export const spaces = v2List(z.object({ id: z.string(), key: z.string(), homepageId: z.string().nullish() }));

export const pages = v2List(page.omit({ version: true, body: true }).extend({ version: z.object({ number: z.number().int() }).optional() }));

export const property = z.object({ id: z.string(), key: z.string(), value: z.unknown(), version: z.object({ number: z.number().int() }) });
export const properties = v2List(property);

/** v1's `content/search`: content, with the site's base and the next page's path. */
export const contentSearch = z.object({
  results: z.array(z.object({ id: z.string(), type: z.string(), title: z.string(), _links: links })),
  _links: z.object({ base: z.string().optional(), next: z.string().optional() }).default({}),
});

export const ignored = z.unknown();
