import nock from "nock";
import { APP_ID } from "./app-server.js";

export interface Recorded {
  method: string;
  path: string;
  body: unknown;
}

export interface FakeCheckRun {
  id: number;
  name: string;
  head_sha: string;
  external_id: string;
  status: string;
  conclusion: string | null;
  app?: { id: number; slug: string };
  details_url?: string;
  output?: { title: string | null; summary: string | null; text: string | null; annotations_count: number };
}

export interface FakeGitHub {
  requests: Recorded[];
  /** Comment bodies posted or edited, in order. */
  comments: () => { method: string; path: string; body: string }[];
  reactions: () => Recorded[];
  permissions: Map<string, string>;
  /** The text of .github/ai-agent.yml per ref; absent → 404. */
  configFiles: Map<string, string>;
  /** Files of the owner's other repositories (its `.github`, `_extends` targets) by `owner/repo:path`; absent → 404. */
  otherFiles: Map<string, string>;
  /** Pull requests by number; title, body and author default to the example's. */
  pulls: Map<number, { head: string; base: string; title?: string; body?: string; author?: string; ref?: string; headRepo?: string | null; state?: string }>;
  /** Comments on issues, by issue number, as GitHub lists them. */
  issueComments: Map<number, { id: number; body: string; user: { login: string; type: string }; created_at: string; updated_at: string; html_url?: string }[]>;
  /** Reviews of pull requests, by number, as GitHub lists them; the app's are added as it posts them. */
  pullReviews: Map<number, { id: number; body: string; commit_id: string; state: string; user: { login: string; type: string }; html_url: string }[]>;
  /** Titles of issues, by number; a default title otherwise. */
  issueTitles: Map<number, string>;
  /** The files API's answer per pull request number. */
  pullFiles: Map<number, unknown[]>;
  /** The compare API's files per `base...head`. */
  compared: Map<string, unknown[]>;
  /** Answer the next review with GitHub's 422 for a line it cannot resolve. */
  refuseNextReview: boolean;
  /** Check runs on the repository's commits, as GitHub keeps them: the app's (edits applied), and others' a test adds (test/helpers/fake-ci.ts). */
  checkRuns: FakeCheckRun[];
  /** Issues the app opened, as GitHub keeps them (edits applied). */
  createdIssues: { id: number; number: number; title: string; body: string; state: string; state_reason: string | null; html_url: string }[];
  /** Sub-issue numbers by parent issue number, in the order they were added. */
  subIssues: Map<number, number[]>;
  /** Answer the nth issue creation (1-based, counting every POST /issues) with a 403 once: a refusal Octokit does not retry itself. */
  refuseIssueCreation: number | undefined;
  /** Pull requests the app opened: the request bodies, in order. */
  createdPulls: () => Recorded[];
  /**
   * Holds GitHub's answer to the next comment write (`POST` a comment, `PATCH` an edit): the
   * request is recorded and applied at once, its answer waits for release(), as when GitHub (or
   * the write throttle in front of it) is slow. `arrived` resolves when that request came.
   */
  holdCommentAnswer(method: "POST" | "PATCH"): { arrived: Promise<Recorded>; release: () => void };
  done(): void;
}

/**
 * api.github.com for one repository, answering with GitHub's real response shapes and recording
 * every request the app makes.
 */
export function fakeGitHub(owner = "Codertocat", repo = "Hello-World"): FakeGitHub {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  const requests: Recorded[] = [];
  const permissions = new Map<string, string>();
  const configFiles = new Map<string, string>();
  const otherFiles = new Map<string, string>();
  const pulls: FakeGitHub["pulls"] = new Map();
  const issueComments: FakeGitHub["issueComments"] = new Map();
  const pullReviews: FakeGitHub["pullReviews"] = new Map();
  const pullFiles = new Map<number, unknown[]>();
  const issueTitles = new Map<number, string>();
  const compared = new Map<string, unknown[]>();
  const opened: { number: number; head: string; html_url: string }[] = [];
  const checkRuns: FakeGitHub["checkRuns"] = [];
  let nextIssue = 500;
  let issueCreations = 0;
  const createdIssues: FakeGitHub["createdIssues"] = [];
  const subIssues: FakeGitHub["subIssues"] = new Map();
  let nextCommentId = 1000;
  const prefix = `/repos/${owner}/${repo}`;
  const holds: { method: string; seen: (request: Recorded) => void; released: Promise<void> }[] = [];
  /** The answer, at once or once a hold on its method is released. */
  const answer = <T>(method: string, path: string, body: unknown, reply: T): T | Promise<T> => {
    const index = holds.findIndex((h) => h.method === method);
    if (index === -1) return reply;
    const [hold] = holds.splice(index, 1);
    hold!.seen({ method, path, body });
    return hold!.released.then(() => reply);
  };
  const record = (method: string) =>
    function (this: unknown, path: string, body: unknown) {
      requests.push({ method, path, body });
    };

  nock("https://api.github.com")
    .persist()
    .post(/\/app\/installations\/\d+\/access_tokens/)
    .reply(function (path, body) {
      record("POST").call(this, path, body);
      const scope = (body ?? {}) as { permissions?: Record<string, string>; repositories?: string[] };
      return [
        201,
        { token: "ghs_fakeinstallationtoken", expires_at: "2099-01-01T00:00:00Z", permissions: scope.permissions ?? {}, repository_selection: scope.repositories ? "selected" : "all" },
      ];
    })
    .get("/app")
    .reply(200, { id: APP_ID, slug: "ai-agent", name: "ai-agent", owner: { login: owner } })
    .get(new RegExp(`^${prefix}/collaborators/([^/]+)/permission$`))
    .reply(function (path) {
      record("GET").call(this, path, undefined);
      const user = decodeURIComponent(path.split("/")[5] ?? "");
      const permission = permissions.get(user);
      if (!permission) return [404, { message: "Not Found", status: "404" }];
      const base = permission === "maintain" ? "write" : permission;
      return [200, { permission: base, role_name: permission, user: { login: user } }];
    })
    .get(new RegExp(`^${prefix}/contents/\\.github(/|%2F)ai-agent\\.yml`))
    .reply(function (path) {
      const ref = new URL(path, "https://api.github.com").searchParams.get("ref") ?? "";
      const text = configFiles.get(ref);
      if (text === undefined) return [404, { message: "Not Found", status: "404" }];
      return [
        200,
        {
          type: "file",
          encoding: "base64",
          size: Buffer.byteLength(text),
          name: "ai-agent.yml",
          path: ".github/ai-agent.yml",
          content: Buffer.from(text).toString("base64"),
          sha: "3d21ec53a331a6f037a91c368710b99387d012c1",
        },
      ];
    })
    .get(prefix)
    .reply(200, {
      id: 1296269,
      name: repo,
      full_name: `${owner}/${repo}`,
      default_branch: "main",
      html_url: `https://github.com/${owner}/${repo}`,
      owner: { login: owner, id: 1, type: "User" },
    })
    .get(new RegExp(`^${prefix}/issues/(\\d+)$`))
    .reply(function (path) {
      const number = Number(path.split("/").pop());
      return [
        200,
        {
          id: 1,
          number,
          title: issueTitles.get(number) ?? "Spelling error in the README file",
          body: "It looks like you accidentally spelled 'commit' with two 't's.",
          state: "open",
          user: { login: owner, id: 1, type: "User" },
          labels: [{ id: 1, name: "bug", color: "f29513", default: true }],
          html_url: `https://github.com/${owner}/${repo}/issues/${number}`,
        },
      ];
    })
    .get(new RegExp(`^${prefix}/issues/(\\d+)/comments(\\?.*)?$`))
    .reply(function (path) {
      const number = Number(/issues\/(\d+)\/comments/.exec(path)?.[1]);
      return [200, issueComments.get(number) ?? []];
    })
    .get(/^\/users\/([^/?]+)$/)
    .reply(function (path) {
      const login = decodeURIComponent(path.split("/").pop() ?? "");
      const id = 1000 + [...login].reduce((sum, c) => sum + c.charCodeAt(0), 0);
      return [200, { login, id, type: login.endsWith("[bot]") ? "Bot" : "User" }];
    })
    .get(new RegExp(`^${prefix}/pulls\\?`))
    .reply(function (path) {
      const head = new URL(path, "https://api.github.com").searchParams.get("head") ?? "";
      const branch = head.split(":").pop();
      return [200, opened.filter((pr) => pr.head === branch).map((pr) => ({ number: pr.number, html_url: pr.html_url, state: "open", head: { ref: pr.head } }))];
    })
    .post(`${prefix}/pulls`)
    .reply(function (path, body) {
      record("POST").call(this, path, body);
      const request = body as { head: string };
      const number = 100 + opened.length;
      const pr = { number, head: request.head, html_url: `https://github.com/${owner}/${repo}/pull/${number}` };
      opened.push(pr);
      return [201, { ...pr, id: 9000 + number, state: "open", draft: (body as { draft?: boolean }).draft ?? false }];
    })
    .patch(new RegExp(`^${prefix}/pulls/\\d+$`))
    .reply(function (path, body) {
      record("PATCH").call(this, path, body);
      const known = pulls.get(Number(path.split("/").pop()));
      const edit = body as { body?: string; title?: string; state?: string };
      if (known) Object.assign(known, edit.body !== undefined ? { body: edit.body } : {}, edit.title !== undefined ? { title: edit.title } : {}, edit.state ? { state: edit.state } : {});
      return [200, { number: Number(path.split("/").pop()), state: edit.state ?? "open" }];
    })
    .delete(new RegExp(`^${prefix}/git/refs/.+$`))
    .reply(function (path) {
      record("DELETE").call(this, path, undefined);
      return [204, ""];
    })
    .post(`${prefix}/issues`)
    .reply(function (path, body) {
      record("POST").call(this, path, body);
      issueCreations++;
      if (fake.refuseIssueCreation === issueCreations) {
        fake.refuseIssueCreation = undefined;
        return [403, { message: "Resource not accessible by integration", status: "403" }];
      }
      const number = nextIssue++;
      const sent = body as { title: string; body?: string };
      const issue = { id: 70000 + number, number, title: sent.title, body: sent.body ?? "", state: "open", state_reason: null, html_url: `https://github.com/${owner}/${repo}/issues/${number}` };
      createdIssues.push(issue);
      return [201, { ...issue, user: { login: "ai-agent[bot]", type: "Bot" } }];
    })
    .post(new RegExp(`^${prefix}/issues/\\d+/sub_issues$`))
    .reply(function (path, body) {
      record("POST").call(this, path, body);
      const parent = Number(/issues\/(\d+)\/sub_issues/.exec(path)?.[1]);
      const child = createdIssues.find((issue) => issue.id === (body as { sub_issue_id: number }).sub_issue_id);
      if (!child) return [422, { message: "Validation Failed", status: "422" }];
      subIssues.set(parent, [...(subIssues.get(parent) ?? []), child.number]);
      return [201, { id: parent, number: parent }];
    })
    .get(new RegExp(`^${prefix}/issues/(\\d+)/sub_issues(\\?.*)?$`))
    .reply(function (path) {
      record("GET").call(this, path, undefined);
      const parent = Number(/issues\/(\d+)\/sub_issues/.exec(path)?.[1]);
      const numbers = subIssues.get(parent) ?? [];
      return [200, createdIssues.filter((issue) => numbers.includes(issue.number)).map((issue) => ({ ...issue, user: { login: "ai-agent[bot]", type: "Bot" } }))];
    })
    .patch(new RegExp(`^${prefix}/issues/\\d+$`))
    .reply(function (path, body) {
      record("PATCH").call(this, path, body);
      const issue = createdIssues.find((created) => created.number === Number(path.split("/").pop()));
      if (!issue) return [404, { message: "Not Found", status: "404" }];
      Object.assign(issue, body as object);
      return [200, issue];
    })
    .get(new RegExp(`^${prefix}/pulls/\\d+/files(\\?.*)?$`))
    .reply(function (path) {
      record("GET").call(this, path, undefined);
      return [200, pullFiles.get(Number(/pulls\/(\d+)\/files/.exec(path)?.[1])) ?? []];
    })
    .get(new RegExp(`^${prefix}/compare/([^?]+)(\\?.*)?$`))
    .reply(function (path) {
      record("GET").call(this, path, undefined);
      const basehead = decodeURIComponent(/compare\/([^?]+)/.exec(path)?.[1] ?? "");
      const files = compared.get(basehead);
      if (!files) return [404, { message: "Not Found" }];
      const page = Number(new URL(path, "https://api.github.com").searchParams.get("page") ?? "1");
      return [200, { status: "ahead", files: page === 1 ? files : [] }];
    })
    .get(new RegExp(`^${prefix}/commits/([^/]+)/check-runs(\\?.*)?$`))
    .reply(function (path) {
      record("GET").call(this, path, undefined);
      const url = new URL(path, "https://api.github.com");
      const sha = decodeURIComponent(/commits\/([^/]+)\/check-runs/.exec(url.pathname)?.[1] ?? "");
      const name = url.searchParams.get("check_name");
      const found = checkRuns.filter((check) => check.head_sha === sha && (name === null || check.name === name));
      return [200, { total_count: found.length, check_runs: found }];
    })
    .post(`${prefix}/check-runs`)
    .reply(function (path, body) {
      record("POST").call(this, path, body);
      const sent = body as { name: string; head_sha: string; status?: string; external_id?: string };
      const check = { id: 4242 + checkRuns.length, name: sent.name, head_sha: sent.head_sha, external_id: sent.external_id ?? "", status: sent.status ?? "queued", conclusion: null };
      checkRuns.push(check);
      return [201, check];
    })
    .patch(new RegExp(`^${prefix}/check-runs/\\d+$`))
    .reply(function (path, body) {
      record("PATCH").call(this, path, body);
      const check = checkRuns.find((c) => c.id === Number(/check-runs\/(\d+)/.exec(path)?.[1]));
      if (!check) return [404, { message: "Not Found" }];
      Object.assign(check, body as object);
      return [200, check];
    })
    .post(new RegExp(`^${prefix}/pulls/\\d+/reviews$`))
    .reply(function (path, body) {
      record("POST").call(this, path, body);
      if (fake.refuseNextReview) {
        fake.refuseNextReview = false;
        return [422, { message: "Unprocessable Entity", errors: ["Line could not be resolved"], status: "422" }];
      }
      const id = 800 + requests.filter((r) => r.path === path).length;
      const number = Number(/pulls\/(\d+)\/reviews/.exec(path)?.[1]);
      const sent = body as { body?: string; commit_id: string; event: string };
      const review = {
        id,
        body: sent.body ?? "",
        commit_id: sent.commit_id,
        state: sent.event === "REQUEST_CHANGES" ? "CHANGES_REQUESTED" : "COMMENTED",
        user: { login: "ai-agent[bot]", type: "Bot" },
        html_url: `https://github.com/${owner}/${repo}/pull/${number}#pullrequestreview-${id}`,
      };
      pullReviews.set(number, [...(pullReviews.get(number) ?? []), review]);
      return [200, review];
    })
    .get(new RegExp(`^${prefix}/pulls/(\\d+)/reviews(\\?.*)?$`))
    .reply(function (path) {
      record("GET").call(this, path, undefined);
      return [200, pullReviews.get(Number(/pulls\/(\d+)\/reviews/.exec(path)?.[1])) ?? []];
    })
    .get(new RegExp(`^${prefix}/pulls/(\\d+)$`))
    .reply(function (path) {
      record("GET").call(this, path, undefined);
      const number = Number(path.split("/").pop());
      const pr = pulls.get(number);
      if (!pr) return [404, { message: "Not Found" }];
      return [
        200,
        {
          number,
          title: pr.title ?? "Update the app",
          body: pr.body ?? "Changes the greeting.",
          state: pr.state ?? "open",
          html_url: `https://github.com/${owner}/${repo}/pull/${number}`,
          head: { sha: pr.head, ref: pr.ref ?? "feature", repo: pr.headRepo === null ? null : { full_name: pr.headRepo ?? `${owner}/${repo}` } },
          base: { ref: pr.base },
          draft: false,
          user: { login: pr.author ?? owner },
        },
      ];
    })
    .post(new RegExp(`^${prefix}/issues/\\d+/comments$`))
    .reply(function (path, body) {
      record("POST").call(this, path, body);
      const id = nextCommentId++;
      const number = Number(/issues\/(\d+)\/comments/.exec(path)?.[1]);
      const now = new Date().toISOString();
      const text = (body as { body: string }).body;
      const html_url = `https://github.com/${owner}/${repo}/issues/${number}#issuecomment-${id}`;
      issueComments.set(number, [...(issueComments.get(number) ?? []), { id, body: text, user: { login: "ai-agent[bot]", type: "Bot" }, created_at: now, updated_at: now, html_url }]);
      return answer("POST", path, body, [201, { id, html_url, body: text }] as const);
    })
    .patch(new RegExp(`^${prefix}/issues/comments/\\d+$`))
    .reply(function (path, body) {
      record("PATCH").call(this, path, body);
      const id = Number(path.split("/").pop());
      let html_url = `https://github.com/${owner}/${repo}/issues/1#issuecomment-${id}`;
      for (const list of issueComments.values()) {
        const found = list.find((c) => c.id === id);
        if (found) found.body = (body as { body: string }).body;
        if (found?.html_url) html_url = found.html_url;
      }
      return answer("PATCH", path, body, [200, { id, html_url, body: (body as { body: string }).body }] as const);
    })
    .post(new RegExp(`^${prefix}/issues/(comments/)?\\d+/reactions$`))
    .reply(function (path, body) {
      record("POST").call(this, path, body);
      return [201, { id: 1, content: (body as { content: string }).content, user: { login: "ai-agent[bot]" } }];
    });

  // Any other repository's contents, read from its default branch.
  const escaped = `${owner}/${repo}`.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  nock("https://api.github.com")
    .persist()
    .get(new RegExp(`^/repos/(?!${escaped}/)([^/]+)/([^/]+)/contents/([^?]+)`))
    .reply(function (path) {
      record("GET").call(this, path, undefined);
      const [, otherOwner = "", otherRepo = "", file = ""] = /^\/repos\/([^/]+)\/([^/]+)\/contents\/([^?]+)/.exec(path) ?? [];
      const name = decodeURIComponent(file);
      const text = otherFiles.get(`${otherOwner}/${otherRepo}:${name}`);
      if (text === undefined) return [404, { message: "Not Found", status: "404" }];
      const content = Buffer.from(text).toString("base64");
      return [200, { type: "file", encoding: "base64", size: Buffer.byteLength(text), name: name.split("/").pop(), path: name, content, sha: "9fceb02d0ae598e95dc970b74767f19372d61af8" }];
    });

  const fake: FakeGitHub = {
    refuseNextReview: false,
    refuseIssueCreation: undefined,
    createdIssues,
    subIssues,
    requests,
    comments: () =>
      requests
        .filter((r) => r.method !== "GET" && r.path.includes("/comments") && !r.path.endsWith("/reactions"))
        .map((r) => ({ method: r.method, path: r.path, body: (r.body as { body: string }).body })),
    reactions: () => requests.filter((r) => r.path.endsWith("/reactions")),
    permissions,
    configFiles,
    otherFiles,
    pulls,
    issueComments,
    pullReviews,
    pullFiles,
    issueTitles,
    compared,
    checkRuns,
    createdPulls: () => requests.filter((r) => r.method === "POST" && r.path === `${prefix}/pulls`),
    holdCommentAnswer(method) {
      let release = () => undefined as void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const arrived = new Promise<Recorded>((seen) => holds.push({ method, seen, released }));
      return { arrived, release };
    },
    done() {
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
  return fake;
}
