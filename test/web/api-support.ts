import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { z } from "zod";
import { repositoryAccess } from "../../src/web/auth/access.js";
import { grantKeeper } from "../../src/web/auth/grants.js";
import { people } from "../../src/web/auth/people.js";
import { sealer } from "../../src/web/auth/sealed.js";
import { SESSION_COOKIE, createSignIn } from "../../src/web/auth/sign-in.js";
import { createApiHandler } from "../../src/web/api/handler.js";
import type { Store } from "../../src/store/types.js";
import type { QueueJobs } from "../../src/store/queue-health.js";

/**
 * /api/v1 served over real HTTP in this process, with GitHub's side for two people in nock (their
 * shapes as GitHub documents them): octocat may push to acme/widgets and read acme/gadgets; hubot
 * may read acme/widgets only. Another App's installation lists acme/secret to both: not theirs here.
 */

export const APP_ID = 4242;
export const WRITER = "gho_16C7e42F292c6912E7710c838347Ae178B4a";
export const READER = "gho_2a9c5d1e8f7b6a5c4d3e2f1a0b9c8d7e6f5a";
export const REFUSED = "gho_revokedrevokedrevokedrevokedrevoked0";
export const SECRET = Buffer.from("a session secret for the api tests");
export const client = { clientId: "Iv1.8a61f9b3a7aba766", clientSecret: "1a2b3c4d5e6f", web: "https://github.com", api: "https://api.github.com" };

/**
 * `jobs` and `admins` serve the queue routes. `now` moves the API's clock (tokens' expiry, GitHub
 * grants' expiry, how long GitHub's answers are kept); sessions keep the real one, so a sealed
 * session cookie stays good.
 */
export async function serveApi(store: Store, options: { jobs?: QueueJobs; admins?: string[]; now?: () => number } = {}): Promise<{ base: string; close: () => Promise<void> }> {
  const signIn = createSignIn({ client, publicUrl: "https://ai.example.com", secret: SECRET });
  const clock = options.now ? { now: options.now } : {};
  const readers = { signIn, access: repositoryAccess(client, APP_ID, clock), people: people(client, clock), grants: grantKeeper(SECRET, client, options.now), admins: new Set(options.admins ?? []) };
  const api = createApiHandler(store, readers, { ...clock, ...(options.jobs ? { queueJobs: options.jobs } : {}) });
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (!(await api(req, res))) {
        res.writeHead(404);
        res.end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The cookie signing in leaves for octocat, sealed as the sign-in seals it. */
export function writerSession(): string {
  return sessionCookie({ login: "octocat", id: 583231, token: WRITER });
}

/** A session cookie as signing in leaves it, with a GitHub App's expiring grant when given one. */
export function sessionCookie(session: { login: string; id: number; token: string; refreshToken?: string; expiresAt?: number; refreshTokenExpiresAt?: number }): string {
  const sessions = sealer(SECRET, "session", z.object({ login: z.string(), id: z.number(), token: z.string() }).loose());
  return `${SESSION_COOKIE}=${sessions.seal(session, 3600)}`;
}

const installations = { total_count: 2, installations: [{ id: 1, app_id: APP_ID, account: { login: "acme" } }, { id: 9, app_id: 1, account: { login: "acme" } }] };
const repos = (...names: string[]) => ({ total_count: names.length, repositories: names.map((full_name, id) => ({ id, full_name, private: true })) });

/**
 * GitHub's answers for one person's token: who they are, this App's installation listing
 * `readable`, another App's listing acme/secret, and whether they may push (`onPush` counts).
 */
export function personOnGitHub(token: string, login: string, id: number, readable: string[], push: boolean, onPush: () => void = () => {}): void {
  nock("https://api.github.com", { reqheaders: { authorization: `Bearer ${token}` } })
    .persist()
    .get("/user")
    .reply(200, { login, id, type: "User" })
    .get("/user/installations")
    .query(true)
    .reply(200, installations)
    .get("/user/installations/1/repositories")
    .query(true)
    .reply(200, repos(...readable))
    .get("/user/installations/9/repositories")
    .query(true)
    .reply(200, repos("acme/secret"))
    .get(/^\/repos\/acme\/[\w.-]+$/)
    .reply(() => {
      onPush();
      return [200, { full_name: "acme/widgets", permissions: { admin: false, maintain: false, push, triage: push, pull: true } }];
    });
}

/** GitHub's answers for each token; `pushes` counts the permission reads, asked fresh on every stop. */
export function githubFor(): { pushes: () => number } {
  let pushes = 0;
  personOnGitHub(WRITER, "octocat", 583231, ["Acme/Widgets", "acme/gadgets"], true, () => pushes++);
  personOnGitHub(READER, "hubot", 1000, ["acme/widgets"], false, () => pushes++);
  nock("https://api.github.com", { reqheaders: { authorization: `Bearer ${REFUSED}` } })
    .persist()
    .get("/user")
    .reply(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });
  return { pushes: () => pushes };
}
