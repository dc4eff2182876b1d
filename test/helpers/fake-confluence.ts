import nock from "nock";

export interface FakeConfluencePage {
  id: string;
  title: string;
  spaceId: string;
  parentId: string | null;
  version: number;
  body: string;
  labels: string[];
  properties: Record<string, unknown>;
}

export interface FakeConfluence {
  readonly spaces: { id: string; key: string; homepageId: string }[];
  pages: FakeConfluencePage[];
  /** Every request: method, path with query, and its JSON body. */
  requests: { method: string; path: string; body: unknown; authorization: string | undefined }[];
  /** Pages CQL search does not see yet (its index lags a new page or label). */
  unindexed: Set<string>;
  /** Before the next n page updates, someone else saves a version of the page (the update then meets a 409). */
  editBeforeUpdate: number;
  /** Answer every request with this status (a site down or in maintenance), when set. */
  down: number | undefined;
  /** Answer the next n requests with 429 and Retry-After: 0. */
  throttle: number;
  /** Adds a page as a person would have written it. */
  addPage(space: string, title: string, body: string, options?: { labels?: string[]; parentId?: string }): FakeConfluencePage;
  page(id: string): FakeConfluencePage | undefined;
  done(): void;
}

/**
 * Confluence Cloud with its real answer shapes, for the calls the app makes: REST v2 spaces, pages
 * (storage format bodies, versions that must go up by one — else 409 — and one title per space —
 * else 400) and content properties, and v1 CQL search and labels. Errors come as Confluence sends
 * them: v2's `{ errors: [{ status, code, title, detail }] }`, v1's `{ statusCode, message }`. CQL is
 * parsed, not matched as text: clauses of `type`, `space`, `label`, `title` and `text` with `=` or
 * `~`, joined by AND and OR, strings in double quotes with backslash escapes — so a query that
 * breaks out of its string changes what is found, as on the real site.
 */
export function fakeConfluence(siteUrl: string, credentials: { email: string; token: string }): FakeConfluence {
  const origin = new URL(siteUrl).origin;
  const expected = `Basic ${Buffer.from(`${credentials.email}:${credentials.token}`).toString("base64")}`;
  let next = 65_540;
  const stamp = "2026-12-04T01:00:00.000Z";
  const fake: FakeConfluence = {
    spaces: [
      { id: "98306", key: "ENG", homepageId: "98310" },
      { id: "98307", key: "SECRET", homepageId: "98311" },
    ],
    pages: [],
    requests: [],
    unindexed: new Set(),
    editBeforeUpdate: 0,
    down: undefined,
    throttle: 0,
    addPage(space, title, body, options = {}) {
      const spaceId = fake.spaces.find((s) => s.key === space)!.id;
      const page: FakeConfluencePage = { id: String(next++), title, spaceId, parentId: options.parentId ?? null, version: 1, body, labels: options.labels ?? [], properties: {} };
      fake.pages.push(page);
      return page;
    },
    page: (id) => fake.pages.find((page) => page.id === id),
    done: () => nock.cleanAll(),
  };

  const spaceKey = (page: FakeConfluencePage) => fake.spaces.find((s) => s.id === page.spaceId)!.key;
  const webui = (page: FakeConfluencePage) => `/spaces/${spaceKey(page)}/pages/${page.id}/${encodeURIComponent(page.title.replace(/ /g, "+"))}`;
  const links = (page: FakeConfluencePage) => ({ editui: `/pages/resumedraft.action?draftId=${page.id}`, webui: webui(page), tinyui: `/x/${page.id}`, base: `${origin}/wiki` });
  const version = (number: number) => ({ number, message: "", minorEdit: false, authorId: "557058:bot", createdAt: stamp });
  const v2Page = (page: FakeConfluencePage, withBody: boolean) => ({
    id: page.id,
    status: "current",
    title: page.title,
    spaceId: page.spaceId,
    parentId: page.parentId,
    parentType: page.parentId ? "page" : null,
    authorId: "557058:bot",
    ownerId: "557058:bot",
    createdAt: stamp,
    version: version(page.version),
    ...(withBody ? { body: { storage: { representation: "storage", value: page.body } } } : {}),
    _links: links(page),
  });
  const v2Error = (status: number, code: string, title: string) => [status, { errors: [{ status, code, title, detail: null }] }] as const;
  const notFound = () => v2Error(404, "NOT_FOUND", "Not Found");
  const v1Error = (status: number, message: string) => [status, { statusCode: status, data: { authorized: true, valid: false, errors: [], successful: false }, message }] as const;

  const handle = function (this: nock.ReplyFnContext, method: string, uri: string, body: unknown): nock.ReplyFnResult {
    const authorization = typeof this.req.headers.authorization === "string" ? this.req.headers.authorization : undefined;
    fake.requests.push({ method, path: uri, body, authorization });
    if (fake.down !== undefined) return [fake.down, "<html><body>Service Unavailable</body></html>"];
    if (fake.throttle > 0) {
      fake.throttle--;
      return [429, { message: "Rate limit exceeded" }, { "retry-after": "0" }];
    }
    if (authorization !== expected) return [401, { code: 401, message: "Unauthorized; scope does not match" }];
    const url = new URL(uri, origin);
    const path = url.pathname;
    const query = url.searchParams;
    const input = (body ?? {}) as Record<string, unknown>;
    let match: RegExpExecArray | null;

    if (method === "GET" && path === "/wiki/api/v2/spaces") {
      const keys = (query.get("keys") ?? "").split(",");
      return [200, { results: fake.spaces.filter((s) => keys.includes(s.key)).map((s) => ({ ...s, name: s.key, type: "global", status: "current" })), _links: {} }];
    }
    if (method === "POST" && path === "/wiki/api/v2/pages") {
      const space = fake.spaces.find((s) => s.id === input.spaceId);
      const storage = (input.body as { representation?: string; value?: string } | undefined) ?? {};
      if (!space || typeof input.title !== "string" || storage.representation !== "storage" || typeof storage.value !== "string") return v2Error(400, "INVALID_REQUEST_PARAMETER", "Invalid request");
      if (fake.pages.some((p) => p.spaceId === space.id && p.title === input.title)) {
        return v2Error(400, "BAD_REQUEST", "A page with this title already exists: A page already exists with the same TITLE in this space");
      }
      const parentId = typeof input.parentId === "string" ? input.parentId : undefined;
      if (input.parentId !== undefined && (!parentId || !fake.page(parentId))) return v2Error(400, "INVALID_REQUEST_PARAMETER", "Parent page not found");
      const page = fake.addPage(space.key, input.title, storage.value, parentId ? { parentId } : {});
      return [200, v2Page(page, true)];
    }
    if (method === "GET" && path === "/wiki/api/v2/pages") {
      const found = fake.pages.filter((p) => p.spaceId === query.get("space-id") && (query.get("title") === null || p.title === query.get("title")));
      return [200, { results: found.map((p) => v2Page(p, false)), _links: {} }];
    }
    if ((match = /^\/wiki\/api\/v2\/pages\/(\d+)$/.exec(path))) {
      const page = fake.page(match[1]!);
      if (!page) return notFound();
      if (method === "GET") return [200, v2Page(page, query.get("body-format") === "storage")];
      if (method === "PUT") {
        if (fake.editBeforeUpdate > 0) {
          fake.editBeforeUpdate--;
          page.version++;
          page.body += "<p>A person's edit.</p>";
        }
        const wanted = (input.version as { number?: unknown } | undefined)?.number;
        if (wanted !== page.version + 1) return v2Error(409, "CONFLICT", `Version must be incremented on update. Current version is: ${page.version}`);
        const storage = input.body as { value?: unknown } | undefined;
        if (typeof input.title !== "string" || typeof storage?.value !== "string") return v2Error(400, "INVALID_REQUEST_PARAMETER", "Invalid request");
        if (fake.pages.some((p) => p !== page && p.spaceId === page.spaceId && p.title === input.title)) {
          return v2Error(400, "BAD_REQUEST", "A page with this title already exists: A page already exists with the same TITLE in this space");
        }
        Object.assign(page, { title: input.title, body: storage.value, version: wanted });
        return [200, v2Page(page, true)];
      }
    }
    if ((match = /^\/wiki\/api\/v2\/pages\/(\d+)\/properties$/.exec(path))) {
      const page = fake.page(match[1]!);
      if (!page) return notFound();
      const property = (key: string) => ({ id: `${page.id}-${key}`, key, value: page.properties[key], version: version(1) });
      if (method === "GET") {
        const key = query.get("key");
        return [200, { results: Object.keys(page.properties).filter((k) => key === null || k === key).map(property), _links: {} }];
      }
      if (method === "POST") {
        if (typeof input.key !== "string") return v2Error(400, "INVALID_REQUEST_PARAMETER", "key is required");
        if (input.key in page.properties) return v2Error(409, "CONFLICT", "Cannot create property with key that already exists");
        page.properties[input.key] = input.value;
        return [200, property(input.key)];
      }
    }
    if ((match = /^\/wiki\/rest\/api\/content\/(\d+)\/label$/.exec(path)) && method === "POST") {
      const page = fake.page(match[1]!);
      if (!page) return v1Error(404, `No content found with id: ContentId{id=${match[1]}}`);
      const labels = Array.isArray(body) ? (body as { prefix?: string; name?: string }[]) : [];
      for (const label of labels) if (label.name && !page.labels.includes(label.name)) page.labels.push(label.name);
      const results = page.labels.map((name, i) => ({ prefix: "global", name, id: String(i + 1), label: name }));
      return [200, { results, start: 0, limit: 200, size: results.length }];
    }
    if (method === "GET" && path === "/wiki/rest/api/content/search") {
      let filter: (page: FakeConfluencePage) => boolean;
      try {
        filter = parseCql(query.get("cql") ?? "", (page, field, op, value) => {
          if (field === "type") return value === "page";
          if (field === "space") return spaceKey(page) === value;
          if (field === "label") return page.labels.includes(value);
          if (field === "title") return op === "=" ? page.title === value : contains(page.title, value);
          if (field === "text") return contains(`${page.title} ${page.body}`, value);
          throw new Error(`unknown field ${field}`);
        });
      } catch (error) {
        return v1Error(400, `Could not parse cql : ${query.get("cql")} (${(error as Error).message})`);
      }
      const limit = Number(query.get("limit") ?? 25);
      const found = fake.pages.filter((page) => !fake.unindexed.has(page.id) && filter(page)).slice(0, limit);
      return [200, { results: found.map((page) => ({ id: page.id, type: "page", status: "current", title: page.title, _links: { webui: webui(page), self: `${origin}/wiki/rest/api/content/${page.id}` } })), start: 0, limit, size: found.length, _links: { base: `${origin}/wiki`, context: "/wiki" } }];
    }
    return v2Error(404, "NOT_FOUND", `No route for ${method} ${path}`);
  };

  const scope = nock(origin).persist();
  for (const method of ["GET", "POST", "PUT"] as const) {
    scope.intercept(/^\/wiki\//, method).reply(function (uri, body) {
      return handle.call(this, method, uri, typeof body === "string" && body ? (JSON.parse(body) as unknown) : body);
    });
  }
  return fake;
}

/** Every word of `words` in `text`, in any case: Confluence's `~` as far as these tests need. */
function contains(text: string, words: string): boolean {
  const lower = text.toLowerCase();
  return words
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => lower.includes(word));
}

type Clause<Item> = (item: Item, field: string, op: string, value: string) => boolean;

/** CQL's clauses joined by AND and OR (AND binds tighter), as a filter; a malformed query throws. */
function parseCql<Item>(cql: string, clause: Clause<Item>): (item: Item) => boolean {
  const tokens: string[] = [];
  const pattern = /\s*(?:("(?:[^"\\]|\\.)*")|(!=|=|~)|([A-Za-z_][A-Za-z0-9_.]*)|(\S))/gy;
  let m: RegExpExecArray | null;
  while (pattern.lastIndex < cql.length && (m = pattern.exec(cql))) {
    if (m[4]) throw new Error(`unexpected "${m[4]}"`);
    tokens.push(m[1] ?? m[2] ?? m[3]!);
  }
  let at = 0;
  const term = (): ((item: Item) => boolean) => {
    const field = tokens[at++];
    const op = tokens[at++];
    const literal = tokens[at++];
    if (!field || !op || !literal || !["=", "~", "!="].includes(op)) throw new Error("expected field, operator and value");
    const value = literal.startsWith('"') ? literal.slice(1, -1).replace(/\\(.)/g, "$1") : literal;
    return op === "!=" ? (item) => !clause(item, field, "=", value) : (item) => clause(item, field, op, value);
  };
  const conjunction = () => {
    const parts = [term()];
    while (tokens[at]?.toUpperCase() === "AND") {
      at++;
      parts.push(term());
    }
    return (item: Item) => parts.every((part) => part(item));
  };
  const parts = [conjunction()];
  while (tokens[at]?.toUpperCase() === "OR") {
    at++;
    parts.push(conjunction());
  }
  if (at !== tokens.length) throw new Error(`unexpected "${tokens[at]}"`);
  return (item) => parts.some((part) => part(item));
}
