import nock from "nock";

export interface FakeJiraIssue {
  id: string;
  key: string;
  summary: string;
  type: string;
  labels: string[];
  description: unknown;
}

export interface FakeJira {
  /** The project's issues, as Jira keeps them (deleted ones removed). */
  issues: FakeJiraIssue[];
  /** The JQL of every search, in order. */
  searches: string[];
  /** Answer the nth issue creation (1-based) with a 500 once. */
  refuseCreation: number | undefined;
  /** Answer deletions with Jira's 403, as a project without the Delete Issues permission does. */
  refuseDeletes: boolean;
  done(): void;
}

/**
 * A Jira Cloud site's issue API with real answer shapes: creation, the JQL search (`project = … AND
 * labels in (…)`, read the way Jira reads it, with one page of results per request) and deletion.
 */
export function fakeJira(base: string, project = "ABC"): FakeJira {
  let created = 0;
  const fake: FakeJira = {
    issues: [],
    searches: [],
    refuseCreation: undefined,
    refuseDeletes: false,
    done: () => nock.cleanAll(),
  };
  nock(base)
    .persist()
    .post("/rest/api/3/issue")
    .reply((_path, body) => {
      created++;
      if (fake.refuseCreation === created) {
        fake.refuseCreation = undefined;
        return [500, { errorMessages: ["Internal server error"], errors: {} }];
      }
      const { fields } = body as { fields: { project: { key: string }; summary: string; issuetype: { name: string }; labels?: string[]; description: unknown } };
      if (fields.project.key !== project) return [400, { errorMessages: [], errors: { project: "valid project is required" } }];
      const id = String(10000 + created);
      const key = `${project}-${created}`;
      fake.issues.push({ id, key, summary: fields.summary, type: fields.issuetype.name, labels: fields.labels ?? [], description: fields.description });
      return [201, { id, key, self: `${base}/rest/api/3/issue/${id}` }];
    })
    .post("/rest/api/3/search/jql")
    .reply((_path, body) => {
      const { jql, maxResults = 50 } = body as { jql: string; maxResults?: number; nextPageToken?: string };
      fake.searches.push(jql);
      const match = /^project = "([A-Z][A-Z0-9_]+)" AND labels in \(((?:"[^"]+"(?:, )?)+)\)$/.exec(jql);
      if (!match) return [400, { errorMessages: [`Error in the JQL Query: ${jql}`], errors: {} }];
      const labels = [...match[2]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
      const found = fake.issues.filter((issue) => match[1] === project && issue.labels.some((label) => labels.includes(label)));
      const start = Number((body as { nextPageToken?: string }).nextPageToken ?? "0");
      const page = found.slice(start, start + maxResults);
      const more = start + maxResults < found.length;
      return [200, { issues: page.map(({ id, key, labels: l }) => ({ id, key, self: `${base}/rest/api/3/issue/${id}`, fields: { labels: l } })), isLast: !more, ...(more ? { nextPageToken: String(start + maxResults) } : {}) }];
    })
    .delete(/^\/rest\/api\/3\/issue\/[^/]+$/)
    .reply((path) => {
      if (fake.refuseDeletes) return [403, { errorMessages: ["You do not have permission to delete issues in this project."], errors: {} }];
      const key = decodeURIComponent(path.split("/").pop() ?? "");
      const at = fake.issues.findIndex((issue) => issue.key === key);
      if (at < 0) return [404, { errorMessages: ["Issue does not exist or you do not have permission to see it."], errors: {} }];
      fake.issues.splice(at, 1);
      return [204, ""];
    });
  return fake;
}
