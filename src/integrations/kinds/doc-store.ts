/**
 * A documentation store (Confluence, later others): the pages an agent may read for context, and
 * where a plan or a workflow's output may be published. Pages are found by search and read by id;
 * a published page is found again by its key (a stable name the publisher chooses, kept on the
 * page by the store, never its title), so publishing the same key again updates it in place.
 */

export interface DocPage {
  id: string;
  title: string;
  /** The page as people open it. */
  url: string;
}

export interface DocSearch {
  /** The store's space (or folder) to look in; the repository's configured one when absent. */
  space?: string;
  /** At most this many pages. */
  limit?: number;
}

export interface PublishedPage extends DocPage {
  /** Whether this call made the page (false: it was updated). */
  created: boolean;
  /** Its version after this call. */
  version: number;
}

export interface DocStore {
  /** The pages that match `query`, best first. */
  search(query: string, options?: DocSearch): Promise<DocPage[]>;
  /** A page and its text, as plain text a reader of it sees. */
  read(id: string): Promise<DocPage & { body: string }>;
  /** Creates the page of `key`, or a new version of it: `body` is Markdown; `space` and `parent` default to the repository's. */
  publish(page: { key: string; title: string; body: string; space?: string; parent?: string }): Promise<PublishedPage>;
}

/**
 * What a planner is given to read from a doc store (`plan.context.<id>` in `.github/ai-agent.yml`),
 * as the store's settings schema parsed it: the pages a search finds.
 */
export interface DocContextRequest {
  /** The search; the title when absent. */
  query?: string | undefined;
  space?: string | undefined;
  /** Pages to read, at most. */
  limit: number;
}
