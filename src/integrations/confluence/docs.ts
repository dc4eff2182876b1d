import { createHash } from "node:crypto";
import type { DocPage, DocSearch, DocStore, PublishedPage } from "../kinds/doc-store.js";
import { type ConfluenceClient, ConfluenceError } from "./client.js";
import { type ConfluencePage, contentSearch, ignored, page, pages, properties, property, spaces } from "./schema.js";
import type { ConfluenceSettings } from "./settings.js";
import { storageToText, toStorage } from "./storage.js";

/** The content property that names the key a page was published for. */
const KEY_PROPERTY = "ai-agent";
/** Times an update is tried again after another edit took its version (409). */
const VERSION_RETRIES = 3;

/**
 * Confluence as a repository's doc store. A published page carries its key twice: as a label
 * (`ai-agent-<hash>`), which CQL finds, and as a content property, which says for certain that a
 * page of the same title is ours. Search's index lags a new page by seconds, so a re-run that
 * misses the label finds the page by title instead (Confluence refuses a second page of a title in
 * a space) and takes it only when its property names the same key; a person's page of that title
 * is never overwritten.
 */
export class ConfluenceDocs implements DocStore {
  private readonly spaceIds = new Map<string, Promise<string>>();

  constructor(
    private readonly client: ConfluenceClient,
    private readonly settings: ConfluenceSettings | undefined,
  ) {}

  async search(query: string, options: DocSearch = {}): Promise<DocPage[]> {
    const space = this.space(options.space, "search");
    const limit = Math.min(Math.max(options.limit ?? 5, 1), 25);
    const cql = `type = page AND space = ${cqlString(space)} AND text ~ ${cqlString(query)}`;
    const found = await this.client.request("GET", `rest/api/content/search?${queryString({ cql, limit: String(limit) })}`, contentSearch);
    return found.results.filter((result) => result.type === "page").slice(0, limit).map((result) => ({ id: result.id, title: result.title, url: this.client.webUrl(result._links.webui, result.id) }));
  }

  async read(id: string): Promise<DocPage & { body: string }> {
    const found = await this.page(id);
    return { ...this.docPage(found), body: await storageToText(found.body?.storage?.value ?? "") };
  }

  async publish(input: { key: string; title: string; body: string; space?: string; parent?: string }): Promise<PublishedPage> {
    const space = this.space(input.space, "publish");
    const label = labelFor(input.key);
    const storage = await toStorage(input.body);
    const existing = await this.labelled(space, label);
    if (existing) return this.update(existing, input.title, storage);
    const spaceId = await this.spaceId(space);
    const parentId = input.parent ?? this.settings?.parent;
    let created: ConfluencePage;
    try {
      created = await this.client.request("POST", "api/v2/pages", page, {
        spaceId,
        status: "current",
        title: input.title,
        ...(parentId ? { parentId } : {}),
        body: { representation: "storage", value: storage },
      });
    } catch (error) {
      const ours = error instanceof ConfluenceError && error.status === 400 ? await this.sameTitle(spaceId, input.title, input.key) : undefined;
      if (!ours) {
        if (error instanceof ConfluenceError && error.status === 400 && /title/i.test(error.message)) {
          throw new ConfluenceError(400, `A page titled "${input.title}" already exists in the Confluence space ${space} and was not published by this app for this key; give the page another title.`);
        }
        throw error;
      }
      // Found by title, it may be missing its label (a run that stopped between the two calls).
      return this.update(ours, input.title, storage, label);
    }
    // The property first: with it, a re-run that finds the page by title knows it is ours.
    await this.client.request("POST", `api/v2/pages/${created.id}/properties`, property, { key: KEY_PROPERTY, value: { key: input.key } });
    await this.client.request("POST", `rest/api/content/${created.id}/label`, ignored, [{ prefix: "global", name: label }]);
    return { ...this.docPage(created), created: true, version: created.version.number };
  }

  /**
   * A new version of page `id`, from its current one; another edit in between (409) is read and
   * tried again. `label`, when given, is added to the page too.
   */
  private async update(id: string, title: string, storage: string, label?: string): Promise<PublishedPage> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.page(id);
      try {
        const updated = await this.client.request("PUT", `api/v2/pages/${id}`, page, {
          id,
          status: "current",
          title,
          body: { representation: "storage", value: storage },
          version: { number: current.version.number + 1, message: "Updated by ai-agent" },
        });
        if (label) await this.client.request("POST", `rest/api/content/${id}/label`, ignored, [{ prefix: "global", name: label }]);
        return { ...this.docPage(updated), created: false, version: updated.version.number };
      } catch (error) {
        if (!(error instanceof ConfluenceError && error.status === 409) || attempt >= VERSION_RETRIES) throw error;
      }
    }
  }

  /** The page carrying `label` in `space`, if search knows of one yet. */
  private async labelled(space: string, label: string): Promise<string | undefined> {
    const cql = `type = page AND space = ${cqlString(space)} AND label = ${cqlString(label)}`;
    const found = await this.client.request("GET", `rest/api/content/search?${queryString({ cql, limit: "1" })}`, contentSearch);
    return found.results[0]?.id;
  }

  /** The page of `title` in the space, when its property says it was published for `key`. */
  private async sameTitle(spaceId: string, title: string, key: string): Promise<string | undefined> {
    const found = await this.client.request("GET", `api/v2/pages?${queryString({ "space-id": spaceId, title, limit: "1" })}`, pages);
    const candidate = found.results[0];
    if (!candidate) return undefined;
    const marks = await this.client.request("GET", `api/v2/pages/${candidate.id}/properties?${queryString({ key: KEY_PROPERTY })}`, properties);
    const value = marks.results[0]?.value;
    return value && typeof value === "object" && (value as { key?: unknown }).key === key ? candidate.id : undefined;
  }

  private page(id: string): Promise<ConfluencePage> {
    if (!/^\d{1,20}$/.test(id)) throw new ConfluenceError(400, `"${id.slice(0, 40)}" is not a Confluence page id.`);
    return this.client.request("GET", `api/v2/pages/${id}?body-format=storage`, page);
  }

  private docPage(found: ConfluencePage): DocPage {
    return { id: found.id, title: found.title, url: this.client.webUrl(found._links.webui, found.id) };
  }

  private space(given: string | undefined, what: string): string {
    const space = given ?? this.settings?.space;
    if (!space) throw new ConfluenceError(400, `Confluence ${what} needs a space: set docs.confluence.space in .github/ai-agent.yml, or give one.`);
    return space;
  }

  private spaceId(key: string): Promise<string> {
    let id = this.spaceIds.get(key);
    if (!id) {
      id = this.client.request("GET", `api/v2/spaces?${queryString({ keys: key })}`, spaces).then((found) => {
        const space = found.results.find((result) => result.key === key);
        if (!space) throw new ConfluenceError(404, `Confluence has no space ${key} that this API token can see.`);
        return space.id;
      });
      // A failed look-up is asked again next time.
      id.catch(() => this.spaceIds.delete(key));
      this.spaceIds.set(key, id);
    }
    return id;
  }
}

/** A query string. */
function queryString(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

/** The label a page of `key` carries: Confluence's labels are lower case, without spaces. */
export function labelFor(key: string): string {
  return `ai-agent-${createHash("sha256").update(key).digest("hex").slice(0, 24)}`;
}

/** A CQL string literal: in double quotes, with `\` and `"` escaped, so no input ends it. */
export function cqlString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, " ")}"`;
}
