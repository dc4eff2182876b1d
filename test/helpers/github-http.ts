import { execFileSync } from "node:child_process";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { serveGit } from "./git-http.js";
import { RequestHold } from "./hold.js";

/**
 * GitHub as a separate process sees it: a GitHub Enterprise Server host (the app's GHE_HOST) on
 * 127.0.0.1 serving the REST API under /api/v3 with GitHub's response shapes, and git's smart HTTP
 * for the bare repositories under `projectRoot` (`<owner>/<repo>.git`). Files come from the
 * repositories themselves (the contents API reads the real tree); issues, comments and pull
 * requests live in memory, and a second pull request for a branch that has an open one is refused
 * with GitHub's 422. Every request is recorded; any request can be held (see RequestHold).
 */

export const INSTALLATION_TOKEN = "ghs_crashtestinstallationtoken0000000001";

export interface GitHubComment {
  id: number;
  issue: number;
  body: string;
  user: { login: string; type: string };
  created_at: string;
  updated_at: string;
}

export interface GitHubPull {
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  state: "open" | "closed";
}

export interface GitHubHttp {
  /** host:port, for GHE_HOST (with GHE_PROTOCOL=http). */
  host: string;
  requests: { method: string; path: string; status: number }[];
  comments: GitHubComment[];
  pulls: GitHubPull[];
  /** Titles of issues by number. */
  issueTitles: Map<number, string>;
  permissions: Map<string, string>;
  hold: RequestHold;
  close(): Promise<void>;
}

type Reply = [status: number, body?: unknown];
type Route = [method: string, pattern: RegExp, handle: (match: string[], body: Record<string, unknown>, url: URL) => Reply];

/** A request field as text ("" when it is not a string). */
const text = (value: unknown): string => (typeof value === "string" ? value : "");

const notFound: Reply = [404, { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" }];

export async function startGitHubHttp(projectRoot: string, appId: number, hold = new RequestHold()): Promise<GitHubHttp> {
  const comments: GitHubComment[] = [];
  const pulls: GitHubPull[] = [];
  const issueTitles = new Map<number, string>();
  const permissions = new Map<string, string>();
  const requests: GitHubHttp["requests"] = [];
  let nextComment = 2000;
  let host = "";
  const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const web = () => `http://${host}`;
  const bare = (owner: string, repo: string) => path.join(projectRoot, owner, `${repo}.git`);
  const gitIn = (owner: string, repo: string, ...args: string[]) => execFileSync("git", ["-C", bare(owner, repo), ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const user = (login: string) => ({ login, id: 1000 + [...login].reduce((sum, c) => sum + c.charCodeAt(0), 0), type: login.endsWith("[bot]") ? "Bot" : "User" });
  const commentJson = (c: GitHubComment, owner: string, repo: string) => ({ ...c, html_url: `${web()}/${owner}/${repo}/issues/${c.issue}#issuecomment-${c.id}` });
  const pullJson = (pr: GitHubPull, owner: string, repo: string) => ({
    id: 9000 + pr.number,
    number: pr.number,
    state: pr.state,
    title: pr.title,
    body: pr.body,
    draft: false,
    html_url: `${web()}/${owner}/${repo}/pull/${pr.number}`,
    head: { ref: pr.head, label: `${owner}:${pr.head}` },
    base: { ref: pr.base },
    user: user("ai-agent[bot]"),
  });
  const R = "/api/v3/repos/([^/]+)/([^/]+)";

  const routes: Route[] = [
    ["GET", /^\/api\/v3\/app$/, () => [200, { id: appId, slug: "ai-agent", name: "ai-agent", owner: user("Codertocat") }]],
    ["GET", /^\/api\/v3\/app\/hook\/deliveries$/, () => [200, []]],
    [
      "POST",
      /^\/api\/v3\/app\/installations\/(\d+)\/access_tokens$/,
      (_m, body) => [201, { token: INSTALLATION_TOKEN, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: body.permissions ?? {}, repository_selection: body.repositories ? "selected" : "all" }],
    ],
    ["GET", /^\/api\/v3\/users\/([^/]+)$/, ([, login]) => [200, user(decodeURIComponent(login!))]],
    ["GET", new RegExp(`^${R}$`), ([, owner, repo]) => [200, { id: 1296269, name: repo, full_name: `${owner}/${repo}`, default_branch: "main", private: false, html_url: `${web()}/${owner}/${repo}`, owner: user(owner!) }]],
    [
      "GET",
      new RegExp(`^${R}/collaborators/([^/]+)/permission$`),
      ([, , , login]) => {
        const permission = permissions.get(decodeURIComponent(login!));
        return permission ? [200, { permission, role_name: permission, user: user(login!) }] : notFound;
      },
    ],
    [
      "GET",
      new RegExp(`^${R}/contents/(.+)$`),
      ([, owner, repo, file], _b, url) => {
        const name = decodeURIComponent(file!);
        try {
          const object = `${url.searchParams.get("ref") ?? "HEAD"}:${name}`;
          const text = gitIn(owner!, repo!, "show", object);
          const sha = gitIn(owner!, repo!, "rev-parse", object).trim();
          return [200, { type: "file", encoding: "base64", size: Buffer.byteLength(text), name: path.basename(name), path: name, content: Buffer.from(text).toString("base64"), sha }];
        } catch {
          return notFound;
        }
      },
    ],
    [
      "GET",
      new RegExp(`^${R}/branches/([^/]+)$`),
      ([, owner, repo, branch]) => {
        try {
          const sha = gitIn(owner!, repo!, "rev-parse", `refs/heads/${decodeURIComponent(branch!)}`).trim();
          return [200, { name: decodeURIComponent(branch!), commit: { sha }, protected: false }];
        } catch {
          return notFound;
        }
      },
    ],
    [
      "DELETE",
      new RegExp(`^${R}/git/refs/heads/(.+)$`),
      ([, owner, repo, branch]) => {
        gitIn(owner!, repo!, "update-ref", "-d", `refs/heads/${decodeURIComponent(branch!)}`);
        return [204];
      },
    ],
    [
      "GET",
      new RegExp(`^${R}/issues/(\\d+)$`),
      ([, owner, repo, n]) => [
        200,
        {
          id: 70000 + Number(n),
          number: Number(n),
          title: issueTitles.get(Number(n)) ?? "Spelling error in the README file",
          body: "It looks like you accidently spelled 'commit' with two 't's.",
          state: "open",
          user: user(owner!),
          labels: [{ id: 1, name: "bug", color: "f29513", default: true }],
          html_url: `${web()}/${owner}/${repo}/issues/${n}`,
        },
      ],
    ],
    ["GET", new RegExp(`^${R}/issues/(\\d+)/comments$`), ([, owner, repo, n]) => [200, comments.filter((c) => c.issue === Number(n)).map((c) => commentJson(c, owner!, repo!))]],
    [
      "POST",
      new RegExp(`^${R}/issues/(\\d+)/comments$`),
      ([, owner, repo, n], body) => {
        const comment = { id: nextComment++, issue: Number(n), body: text(body.body), user: user("ai-agent[bot]"), created_at: now(), updated_at: now() };
        comments.push(comment);
        return [201, commentJson(comment, owner!, repo!)];
      },
    ],
    [
      "PATCH",
      new RegExp(`^${R}/issues/comments/(\\d+)$`),
      ([, owner, repo, id], body) => {
        const comment = comments.find((c) => c.id === Number(id));
        if (!comment) return notFound;
        Object.assign(comment, { body: text(body.body), updated_at: now() });
        return [200, commentJson(comment, owner!, repo!)];
      },
    ],
    [
      "DELETE",
      new RegExp(`^${R}/issues/comments/(\\d+)$`),
      ([, , , id]) => {
        const index = comments.findIndex((c) => c.id === Number(id));
        if (index < 0) return notFound;
        comments.splice(index, 1);
        return [204];
      },
    ],
    ["POST", new RegExp(`^${R}/issues/(comments/)?\\d+/reactions$`), (_m, body) => [201, { id: 1, content: body.content, user: user("ai-agent[bot]") }]],
    [
      "GET",
      new RegExp(`^${R}/pulls$`),
      ([, owner, repo], _b, url) => {
        const head = url.searchParams.get("head")?.split(":").pop();
        const state = url.searchParams.get("state") ?? "open";
        return [200, pulls.filter((pr) => (!head || pr.head === head) && (state === "all" || pr.state === state)).map((pr) => pullJson(pr, owner!, repo!))];
      },
    ],
    [
      "POST",
      new RegExp(`^${R}/pulls$`),
      ([, owner, repo], body) => {
        const head = String(body.head);
        if (pulls.some((pr) => pr.head === head && pr.state === "open")) {
          return [422, { message: "Validation Failed", errors: [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${owner}:${head}.` }], documentation_url: "https://docs.github.com/rest/pulls/pulls#create-a-pull-request", status: "422" }];
        }
        const pr: GitHubPull = { number: 100 + pulls.length, head, base: String(body.base), title: String(body.title), body: text(body.body), state: "open" };
        pulls.push(pr);
        return [201, pullJson(pr, owner!, repo!)];
      },
    ],
    [
      "PATCH",
      new RegExp(`^${R}/pulls/(\\d+)$`),
      ([, owner, repo, n], body) => {
        const pr = pulls.find((p) => p.number === Number(n));
        if (!pr) return notFound;
        if (typeof body.body === "string") pr.body = body.body;
        if (typeof body.title === "string") pr.title = body.title;
        if (body.state === "closed" || body.state === "open") pr.state = body.state;
        return [200, pullJson(pr, owner!, repo!)];
      },
    ],
    [
      "GET",
      new RegExp(`^${R}/pulls/(\\d+)$`),
      ([, owner, repo, n]) => {
        const pr = pulls.find((p) => p.number === Number(n));
        return pr ? [200, pullJson(pr, owner!, repo!)] : notFound;
      },
    ],
  ];

  const answer = (req: IncomingMessage, res: ServerResponse, raw: Buffer) => {
    const url = new URL(req.url ?? "/", "http://github.local");
    const method = req.method ?? "GET";
    let status = 404;
    let payload: unknown = notFound[1];
    for (const [routeMethod, pattern, handle] of routes) {
      const match = routeMethod === method ? pattern.exec(url.pathname) : null;
      if (!match) continue;
      let body: Record<string, unknown> = {};
      try {
        body = raw.length > 0 ? (JSON.parse(raw.toString("utf8")) as Record<string, unknown>) : {};
      } catch {
        body = {};
      }
      [status, payload] = handle([...match], body, url);
      break;
    }
    requests.push({ method, path: url.pathname + url.search, status });
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "x-github-media-type": "github.v3; format=json" });
    res.end(payload === undefined ? "" : JSON.stringify(payload));
  };

  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => {
      const raw = Buffer.concat(parts);
      const url = new URL(req.url ?? "/", "http://github.local");
      const isGit = /^\/[^/]+\/[^/]+\.git\//.test(url.pathname);
      const held = { service: isGit ? "git" : "github", method: req.method ?? "GET", path: url.pathname + url.search, body: isGit ? "" : raw.toString("utf8") };
      const basic = `Basic ${Buffer.from(`x-access-token:${INSTALLATION_TOKEN}`).toString("base64")}`;
      hold.pass(
        held,
        () => (isGit ? serveGit(projectRoot, req, res, raw, basic) : answer(req, res, raw)),
        () => res.destroy(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    requests,
    comments,
    pulls,
    issueTitles,
    permissions,
    hold,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
