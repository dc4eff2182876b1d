import nock from "nock";

/**
 * Review threads as GitHub keeps them, for one repository: GraphQL's `reviewThreads` of a pull
 * request (node ids, `isResolved`, `isOutdated`, comments with their REST `databaseId`), the
 * `resolveReviewThread` mutation, and REST's reply to a review comment, which joins that comment's
 * thread. Layered on fakeGitHub (whose cleanup removes these interceptors too).
 */

export interface FakeThreadComment {
  databaseId: number;
  author: string;
  body: string;
  createdAt: string;
}

export interface FakeThread {
  id: string;
  pull: number;
  path: string;
  line: number | null;
  isResolved: boolean;
  isOutdated: boolean;
  comments: FakeThreadComment[];
}

export interface FakeThreads {
  threads: FakeThread[];
  /** Starts a thread on a line, as a reviewer's comment does. */
  add(pull: number, thread: { path: string; line: number; author: string; body: string }): FakeThread;
  /** The GraphQL operations asked, in order: `reviewThreads` or `resolveReviewThread`. */
  operations: string[];
}

export function fakeThreads(owner = "Codertocat", repo = "Hello-World"): FakeThreads {
  const threads: FakeThread[] = [];
  const operations: string[] = [];
  let nextComment = 7000;
  const now = () => new Date().toISOString();

  nock("https://api.github.com")
    .persist()
    .post("/graphql")
    .reply(function (_path, body) {
      const { query, variables } = body as { query: string; variables: Record<string, unknown> };
      if (query.includes("resolveReviewThread")) {
        operations.push("resolveReviewThread");
        const thread = threads.find((t) => t.id === variables["thread"]);
        if (!thread) return [200, { data: null, errors: [{ type: "NOT_FOUND", path: ["resolveReviewThread"], message: `Could not resolve to a node with the global id of '${String(variables["thread"])}'` }] }];
        thread.isResolved = true;
        return [200, { data: { resolveReviewThread: { thread: { id: thread.id, isResolved: true } } } }];
      }
      if (query.includes("reviewThreads")) {
        operations.push("reviewThreads");
        if (variables["owner"] !== owner || variables["repo"] !== repo) return [200, { data: { repository: null }, errors: [{ type: "NOT_FOUND", message: "Could not resolve to a Repository" }] }];
        const nodes = threads
          .filter((t) => t.pull === variables["number"])
          .map((t) => ({
            id: t.id,
            isResolved: t.isResolved,
            isOutdated: t.isOutdated,
            path: t.path,
            line: t.line,
            comments: { nodes: t.comments.map((c) => ({ id: `PRRC_${c.databaseId}`, databaseId: c.databaseId, author: { login: c.author }, body: c.body, createdAt: c.createdAt })) },
          }));
        return [200, { data: { repository: { pullRequest: { reviewThreads: { nodes } } } } }];
      }
      return [200, { errors: [{ message: "this fake answers reviewThreads and resolveReviewThread only" }] }];
    })
    .post(new RegExp(`^/repos/${owner}/${repo}/pulls/(\\d+)/comments/(\\d+)/replies$`))
    .reply(function (path, body) {
      const [, pull = "0", to = "0"] = /pulls\/(\d+)\/comments\/(\d+)\/replies/.exec(path) ?? [];
      const thread = threads.find((t) => t.pull === Number(pull) && t.comments[0]?.databaseId === Number(to));
      if (!thread) return [404, { message: "Not Found", status: "404" }];
      const comment = { databaseId: nextComment++, author: "ai-agent[bot]", body: (body as { body: string }).body, createdAt: now() };
      thread.comments.push(comment);
      return [201, { id: comment.databaseId, body: comment.body, html_url: `https://github.com/${owner}/${repo}/pull/${pull}#discussion_r${comment.databaseId}`, in_reply_to_id: Number(to), user: { login: "ai-agent[bot]", type: "Bot" } }];
    });

  return {
    threads,
    operations,
    add(pull, start) {
      const thread: FakeThread = {
        id: `PRRT_kwDOA${threads.length + 1}`,
        pull,
        path: start.path,
        line: start.line,
        isResolved: false,
        isOutdated: false,
        comments: [{ databaseId: nextComment++, author: start.author, body: start.body, createdAt: now() }],
      };
      threads.push(thread);
      return thread;
    },
  };
}
