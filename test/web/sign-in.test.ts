import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { repositoryAccess } from "../../src/web/auth/access.js";
import { createSignIn } from "../../src/web/auth/sign-in.js";
import { sealer } from "../../src/web/auth/sealed.js";
import { z } from "zod";
import { createRunsHandler } from "../../src/web/runs-route.js";
import type { Database } from "../../src/store/open.js";
import { type TestDatabase, freshPostgres } from "../helpers/databases.js";

/**
 * Signing in with GitHub, over real HTTP: the OAuth web flow against GitHub's endpoints (nock,
 * with GitHub's answer shapes), the sealed session cookie, and a run served to a person only when
 * GitHub lists its repository among those their token can read through this App.
 */

const APP_ID = 4242;
const TOKEN = "gho_16C7e42F292c6912E7710c838347Ae178B4a";

describe("signing in with GitHub", () => {
  let database: TestDatabase;
  let opened: Database;
  let server: Server;
  let base: string;
  let ours: string;
  let theirs: string;
  let installationReads = 0;

  beforeAll(async () => {
    database = await freshPostgres();
    opened = await database.open();
    ours = (await opened.store.createRun({ repo: "acme/widgets", installationId: 1, number: 1, kind: "issue", task: "implement", trigger: "label", actor: "octocat" })).id;
    theirs = (await opened.store.createRun({ repo: "acme/secret", installationId: 1, number: 2, kind: "issue", task: "implement", trigger: "label", actor: "octocat" })).id;
    const client = { clientId: "Iv1.8a61f9b3a7aba766", clientSecret: "1a2b3c4d5e6f", web: "https://github.com", api: "https://api.github.com" };
    const signIn = createSignIn({ client, publicUrl: "https://ai.example.com", secret: Buffer.from("a session secret for the tests") });
    const readers = { signIn, access: repositoryAccess(client, APP_ID) };
    const runs = createRunsHandler(opened.store, { verify: () => false }, readers);
    server = createServer((req, res) => {
      void (async () => {
        if (!(await signIn.handle(req, res)) && !(await runs(req, res))) {
          res.writeHead(404);
          res.end();
        }
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
  });
  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await new Promise((resolve) => server.close(resolve));
    await opened.close();
    await database.dispose();
  });
  afterEach(() => nock.cleanAll());

  const get = (path: string, cookies = "") => fetch(`${base}${path}`, { redirect: "manual", headers: cookies ? { cookie: cookies } : {} });
  const cookiesOf = (response: Response) => response.headers.getSetCookie();
  const valueOf = (setCookie: string) => setCookie.slice(0, setCookie.indexOf(";"));

  /** GitHub's side of a good sign-in: the code exchange, the user, their installations and repositories. */
  const github = (expiring: Record<string, unknown> = {}) => {
    nock("https://github.com")
      .post("/login/oauth/access_token", (body: Record<string, string>) => body.code === "the-code" && body.client_secret === "1a2b3c4d5e6f")
      .reply(200, { access_token: TOKEN, token_type: "bearer", scope: "", ...expiring });
    nock("https://api.github.com", { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get("/user")
      .reply(200, { login: "octocat", id: 583231, type: "User" })
      .get("/user/installations")
      .query(true)
      .reply(() => {
        installationReads++;
        return [200, { total_count: 2, installations: [{ id: 1, app_id: APP_ID, account: { login: "acme" } }, { id: 9, app_id: 1, account: { login: "other" } }] }];
      })
      .persist()
      .get("/user/installations/1/repositories")
      .query(true)
      .reply(200, { total_count: 1, repositories: [{ id: 1, full_name: "acme/widgets", private: true }] })
      .get("/user/installations/9/repositories")
      .query(true)
      .reply(200, { total_count: 1, repositories: [{ id: 2, full_name: "acme/secret", private: true }] });
  };

  /** Goes through the flow; the session cookie. */
  const signIn = async (next = `/runs/${ours}`) => {
    const start = await get(`/login?next=${encodeURIComponent(next)}`);
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get("location") ?? "");
    const state = authorize.searchParams.get("state") ?? "";
    const callback = await get(`/auth/github/callback?code=the-code&state=${state}`, valueOf(cookiesOf(start)[0]!));
    return { start, authorize, callback };
  };

  it("sends people to GitHub with the App's client and a state only their browser holds", async () => {
    const start = await get("/login");
    const authorize = new URL(start.headers.get("location") ?? "");
    expect(`${authorize.origin}${authorize.pathname}`).toBe("https://github.com/login/oauth/authorize");
    expect(authorize.searchParams.get("client_id")).toBe("Iv1.8a61f9b3a7aba766");
    expect(authorize.searchParams.get("redirect_uri")).toBe("https://ai.example.com/auth/github/callback");
    expect(authorize.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const [state] = cookiesOf(start);
    expect(state).toMatch(/^ai_agent_oauth=v1\.[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=600; Secure$/);
    // The state is sealed: it is not in the cookie as it is in the address.
    expect(state).not.toContain(authorize.searchParams.get("state"));
  });

  it("signs in, comes back to the page asked for, and serves the runs of repositories the person can read", async () => {
    github();
    const { callback } = await signIn();
    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toBe(`/runs/${ours}`);
    const session = cookiesOf(callback).find((c) => c.startsWith("ai_agent_session="));
    expect(session).toMatch(/; Path=\/; HttpOnly; SameSite=Lax; Max-Age=28800; Secure$/);
    // The person's token is in the cookie sealed, never as it is.
    expect(session).not.toContain(TOKEN);
    const cookie = valueOf(session!);

    const run = await get(`/runs/${ours}`, cookie);
    expect(run.status).toBe(200);
    expect(((await run.json()) as { repo: string }).repo).toBe("acme/widgets");
    // Another App's installation lists acme/secret: not through this App, so not for this person here.
    expect((await get(`/runs/${theirs}`, cookie)).status).toBe(404);
    expect((await get("/runs/00000000-0000-0000-0000-000000000000", cookie)).status).toBe(404);
    // Asked of GitHub once, then kept for a while.
    expect(installationReads).toBe(1);
  });

  it("keeps a GitHub App's refresh token and both expiry times in the sealed session", async () => {
    const refreshToken = "ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498";
    github({ expires_in: 28800, refresh_token: refreshToken, refresh_token_expires_in: 15811200 });
    const session = cookiesOf((await signIn()).callback).find((c) => c.startsWith("ai_agent_session="))!;
    expect(session).not.toContain(refreshToken);
    const sessions = sealer(Buffer.from("a session secret for the tests"), "session", z.object({}).loose());
    const opened = sessions.open(valueOf(session).slice("ai_agent_session=".length)) as { login: string; token: string; refreshToken: string; expiresAt: number; refreshTokenExpiresAt: number };
    expect(opened).toMatchObject({ login: "octocat", id: 583231, token: TOKEN, refreshToken });
    // Both from the moment GitHub answered: 8 hours for the token, about six months for the refresh token.
    expect(opened.refreshTokenExpiresAt - opened.expiresAt).toBe((15811200 - 28800) * 1000);
  });

  it("serves nothing to anyone not signed in, or with a cookie that was tampered with", async () => {
    const anonymous = await get(`/runs/${ours}`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ sign_in: `/login?next=${encodeURIComponent(`/runs/${ours}`)}` });
    github();
    const cookie = valueOf(cookiesOf((await signIn()).callback).find((c) => c.startsWith("ai_agent_session="))!);
    const flipped = `${cookie.slice(0, -2)}${cookie.endsWith("A") ? "B" : "A"}${cookie.slice(-1)}`;
    expect((await get(`/runs/${ours}`, flipped)).status).toBe(401);
    expect((await get(`/runs/${ours}`, "ai_agent_session=v1.bm90LW91cnM")).status).toBe(401);
  });

  it("refuses a callback this browser did not start, and GitHub's refusal of the code", async () => {
    const forged = await get("/auth/github/callback?code=the-code&state=guessed");
    expect(forged.status).toBe(400);
    expect(cookiesOf(forged).some((c) => c.startsWith("ai_agent_session="))).toBe(false);

    nock("https://github.com").post("/login/oauth/access_token").reply(200, { error: "bad_verification_code", error_description: "The code passed is incorrect or expired." });
    const start = await get("/login");
    const state = new URL(start.headers.get("location") ?? "").searchParams.get("state");
    const refused = await get(`/auth/github/callback?code=old&state=${state}`, valueOf(cookiesOf(start)[0]!));
    expect(refused.status).toBe(502);
    expect(await refused.text()).toContain("The code passed is incorrect or expired.");
  });

  it("comes back only to a page of this app, and signs out on POST", async () => {
    github();
    const { callback } = await signIn("//evil.example/steal");
    expect(callback.headers.get("location")).toBe("/");
    const out = await fetch(`${base}/logout`, { method: "POST", redirect: "manual" });
    expect(out.status).toBe(302);
    expect(cookiesOf(out)).toContain("ai_agent_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure");
  });
});
