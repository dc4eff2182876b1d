/**
 * A documentation store (Confluence, later others): the pages an agent may read for context, and
 * where a plan or a summary may be published. Pages are found by search, read by id, and published
 * as new pages or new versions of one (by id), so publishing the same page twice updates it.
 */

export interface DocPage {
  id: string;
  title: string;
  /** The page as people open it. */
  url: string;
}

export interface DocStore {
  /** The pages that match `query`, best first, at most `limit` of them. */
  search(query: string, limit?: number): Promise<DocPage[]>;
  /** A page and its text (as Markdown, or as close to it as the store allows). */
  read(id: string): Promise<DocPage & { body: string }>;
  /** Creates a page (under `parent` when given), or a new version of page `id`. */
  publish(page: { title: string; body: string; id?: string; parent?: string }): Promise<DocPage>;
}
