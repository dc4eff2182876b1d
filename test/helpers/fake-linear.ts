import nock from "nock";

export interface FakeLinearState {
  id: string;
  name: string;
  type: string;
}

export interface FakeLinearIssue {
  id: string;
  identifier: string;
  url: string;
  teamId: string;
  stateId: string;
  title: string;
  description: string;
  parentId: string | null;
  comments: { id: string; body: string }[];
  attachments: { id: string; url: string; title: string }[];
}

export interface FakeLinear {
  readonly team: { id: string; key: string; states: FakeLinearState[] };
  issues: FakeLinearIssue[];
  /** Every request's operation name and variables, in order. */
  requests: { operation: string; variables: Record<string, unknown>; authorization: string | undefined; at: number }[];
  /** The reset time (epoch ms) of each rate-limit answer given. */
  resets: number[];
  /** Answer the next n requests with Linear's rate-limit error, its window resetting `resetInMs` later. */
  rateLimit(n: number, resetInMs: number): void;
  /** Answer the nth issue creation (1-based) with an internal error once. */
  refuseCreation: number | undefined;
  /** Linear down: "hang" never answers (a dead network path), a status answers every request with it. */
  down: "hang" | number | undefined;
  /** The issue with this identifier. */
  issue(identifier: string): FakeLinearIssue | undefined;
  /** Adds an issue to the team, as a person would have opened it. */
  addIssue(title: string): FakeLinearIssue;
  done(): void;
}

const PAGE = 2;

/**
 * Linear's GraphQL endpoint with its real answer shapes, for the operations the app sends (told
 * apart by their operation name): `{ data }` on success, `{ errors: [{ message, extensions: { code,
 * userPresentableMessage } }], data: null }` on failure, with `RATELIMITED` and the
 * X-RateLimit-Requests-* headers when limited, and connections as `{ nodes, pageInfo }` pages of
 * two, so every caller has to follow `endCursor`. One team; a personal API key in Authorization.
 */
export function fakeLinear(apiUrl: string, options: { team?: string; apiKey?: string } = {}): FakeLinear {
  const key = options.team ?? "ENG";
  const url = new URL(apiUrl);
  let counter = 0;
  let created = 0;
  let limited = 0;
  let resetInMs = 0;
  const team = {
    id: "team-uuid-1",
    key,
    states: ["Backlog", "Todo", "In Progress", "In Review", "Done", "Canceled"].map((name, i) => ({ id: `state-${i}`, name, type: ["backlog", "unstarted", "started", "started", "completed", "canceled"][i]! })),
  };
  const newIssue = (title: string, description: string, parentId: string | null): FakeLinearIssue => {
    counter++;
    const issue = { id: `issue-uuid-${counter}`, identifier: `${key}-${counter}`, url: `https://linear.app/acme/issue/${key}-${counter}/${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`, teamId: team.id, stateId: "state-1", title, description, parentId, comments: [], attachments: [] };
    fake.issues.push(issue);
    return issue;
  };
  const fake: FakeLinear = {
    team,
    issues: [],
    requests: [],
    resets: [],
    refuseCreation: undefined,
    down: undefined,
    rateLimit: (n, ms) => {
      limited = n;
      resetInMs = ms;
    },
    issue: (identifier) => fake.issues.find((issue) => issue.identifier === identifier),
    addIssue: (title) => newIssue(title, "", null),
    done: () => nock.cleanAll(),
  };
  const error = (message: string, code: string, userPresentableMessage?: string) => ({
    errors: [{ message, extensions: { type: code.toLowerCase().replace(/_/g, " "), code, ...(userPresentableMessage ? { userPresentableMessage } : {}) } }],
    data: null,
  });
  const find = (id: unknown) => fake.issues.find((issue) => issue.id === id || issue.identifier === id);
  const notFound = () => [400, error("Entity not found: Issue", "INVALID_INPUT", "Could not find referenced Issue.")] as const;
  const page = <T>(items: T[], after: unknown) => {
    const start = typeof after === "string" ? Number(after) : 0;
    const nodes = items.slice(start, start + PAGE);
    const more = start + PAGE < items.length;
    return { nodes, pageInfo: { hasNextPage: more, endCursor: nodes.length > 0 ? String(start + nodes.length) : null } };
  };

  nock(url.origin)
    .persist()
    .post(url.pathname)
    .reply(function (_path, body, answer) {
      if (fake.down === "hang") {
        // Heard, never answered: the request stays open until the client gives up.
        const { query, variables = {} } = body as { query: string; variables?: Record<string, unknown> };
        fake.requests.push({ operation: /^(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? "anonymous", variables, authorization: undefined, at: Date.now() });
        return;
      }
      answer(null, fake.down === undefined ? respond.call(this, body) : [fake.down, "<html><body>502 Bad Gateway</body></html>"]);
    });

  function respond(this: nock.ReplyFnContext, body: nock.Body): nock.ReplyFnResult {
    const { query, variables = {} } = body as { query: string; variables?: Record<string, unknown> };
    const operation = /^(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? "anonymous";
    const authorization = typeof this.req.headers.authorization === "string" ? this.req.headers.authorization : undefined;
    fake.requests.push({ operation, variables, authorization, at: Date.now() });
    if (options.apiKey !== undefined && authorization !== options.apiKey) return [400, error("Authentication required, not authenticated", "AUTHENTICATION_ERROR")];
    if (limited > 0) {
      limited--;
      const resetAt = Date.now() + resetInMs;
      fake.resets.push(resetAt);
      const reset = String(resetAt);
      return [400, error("Rate limit exceeded", "RATELIMITED"), { "x-ratelimit-requests-limit": "1500", "x-ratelimit-requests-remaining": "0", "x-ratelimit-requests-reset": reset }];
    }
    const input = (variables.input ?? {}) as Record<string, unknown>;
    const data = (value: unknown) => [200, { data: value }] as const;
    switch (operation) {
      case "Issue": {
        const issue = find(variables.id);
        return issue ? data({ issue: { id: issue.id, identifier: issue.identifier, url: issue.url, team: { id: team.id, key } } }) : notFound();
      }
      case "TeamStates":
        return variables.id === team.id ? data({ team: { states: page(team.states, variables.after) } }) : [400, error("Entity not found: Team", "INVALID_INPUT")];
      case "Teams":
        return data({ teams: { nodes: variables.key === key ? [{ id: team.id, key }] : [] } });
      case "CommentCreate": {
        const issue = find(input.issueId);
        if (!issue) return notFound();
        const comment = { id: `comment-${issue.comments.length + 1}-${issue.id}`, body: String(input.body) };
        issue.comments.push(comment);
        return data({ commentCreate: { success: true, comment: { id: comment.id } } });
      }
      case "IssueUpdate": {
        const issue = find(variables.id);
        if (!issue) return notFound();
        const state = team.states.find((s) => s.id === (input.stateId as string));
        if (!state) return [400, error("Argument Validation Error", "INVALID_INPUT", "stateId must be a workflow state of the issue's team.")];
        issue.stateId = state.id;
        return data({ issueUpdate: { success: true } });
      }
      case "AttachmentCreate": {
        const issue = find(input.issueId);
        if (!issue) return notFound();
        // Linear keeps one attachment per address and issue: the same address again updates it.
        let attachment = issue.attachments.find((a) => a.url === input.url);
        if (attachment) attachment.title = String(input.title);
        else issue.attachments.push((attachment = { id: `attachment-${issue.attachments.length + 1}`, url: String(input.url), title: String(input.title) }));
        return data({ attachmentCreate: { success: true, attachment: { id: attachment.id } } });
      }
      case "IssueCreate": {
        created++;
        if (fake.refuseCreation === created) {
          fake.refuseCreation = undefined;
          return [500, error("Internal server error", "INTERNAL_SERVER_ERROR")];
        }
        if (input.teamId !== team.id) return [400, error("Argument Validation Error", "INVALID_INPUT", "teamId must be a team.")];
        const parent = input.parentId === undefined ? null : find(input.parentId);
        if (parent === undefined) return notFound();
        const issue = newIssue(String(input.title), typeof input.description === "string" ? input.description : "", parent?.id ?? null);
        return data({ issueCreate: { success: true, issue: { id: issue.id, identifier: issue.identifier, url: issue.url } } });
      }
      case "IssueDelete": {
        const at = fake.issues.findIndex((issue) => issue.id === variables.id || issue.identifier === variables.id);
        if (at < 0) return notFound();
        fake.issues.splice(at, 1);
        return data({ issueDelete: { success: true } });
      }
      case "MarkedIssues": {
        const filter = variables.filter as { team: { key: { eq: string } }; or: { description: { contains: string } }[] };
        const found = fake.issues.filter((issue) => filter.team.key.eq === key && filter.or.some((f) => issue.description.includes(f.description.contains)));
        return data({ issues: page(found.map(({ identifier, url: address, description }) => ({ identifier, url: address, description })), variables.after) });
      }
      default:
        return [400, error(`Cannot query operation ${operation}`, "GRAPHQL_VALIDATION_FAILED")];
    }
  }
  return fake;
}
