import type { IncomingMessage } from "node:http";
import nock from "nock";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Run } from "../../src/core/run.js";
import { redact } from "../../src/core/redactor.js";
import type { Database } from "../../src/store/open.js";
import { grantKeeper } from "../../src/web/auth/grants.js";
import { runList } from "../../src/web/api/schemas.js";
import { issuedToken, tokenList } from "../../src/web/api/token-schemas.js";
import { hashApiTokenSecret } from "../../src/web/api/token-secret.js";
import { MAX_ACTIVE_TOKENS, TokensRefused, issueToken, listTokens, revokeToken } from "../../src/web/api/tokens.js";
import type { Caller } from "../../src/web/api/identity.js";
import { personCallerOf } from "../../src/web/api/caller.js";
import { type TestDatabase, freshPostgres } from "../helpers/databases.js";
import { READER, SECRET, WRITER, client, githubFor, personOnGitHub, serveApi, sessionCookie, writerSession } from "./api-support.js";

/**
 * Personal API tokens over real HTTP against a real PostgreSQL store, GitHub in nock with its
 * documented shapes: issued by a session or a GitHub token, used as `Bearer aia_…` with the same
 * authorisation as the person (their own GitHub token says what they may read), refused by scope,
 * expiry and revocation, and renewed behind the scenes when GitHub's expiring user token lapses.
 */

const HOUR = 3600_000;
const DAY = 24 * HOUR;
// A GitHub App's expiring user tokens, and their refresh tokens.
const EXPIRING = "ghu_16C7e42F292c6912E7710c838347Ae178B4a";
const RENEWED = "ghu_9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";
const REFRESH = "ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498";
const REFRESH_RENEWED = "ghr_2C5b3f88949458b8F531df289G3F8d7a23F27a357d45F2ddcG77D57923e27E6C2B0Ed97B2509";

describe("personal API tokens for /api/v1", () => {
  let database: TestDatabase;
  let opened: Database;
  /** The table as it is, read beside the store. */
  let sql: pg.Pool;
  let api: { base: string; close: () => Promise<void> };
  let clock = Date.parse("2026-11-02T09:00:00.000Z");
  const now = () => clock;
  const runs: Run[] = [];

  const call = async (path: string, options: { token?: string; cookie?: string; method?: string; body?: unknown; contentType?: string } = {}) => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.cookie) headers.cookie = options.cookie;
    if (options.body !== undefined) headers["content-type"] = options.contentType ?? "application/json";
    const response = await fetch(`${api.base}${path}`, {
      method: options.method ?? (options.body !== undefined ? "POST" : "GET"),
      headers,
      ...(options.body !== undefined ? { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const issue = async (credential: { token?: string; cookie?: string }, body: Record<string, unknown>) => {
    const answer = await call("/api/v1/tokens", { ...credential, body });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return issuedToken.parse(answer.body);
  };
  const repos = (body: Record<string, unknown>) => new Set(runList.parse(body).runs.map((run) => run.repo));
  const tableText = async () => JSON.stringify((await sql.query("SELECT * FROM ai_api_tokens")).rows);

  beforeAll(async () => {
    database = await freshPostgres();
    opened = await database.open();
    if (database.target.kind !== "postgres") throw new Error("these tests read the PostgreSQL table directly");
    sql = new pg.Pool({ connectionString: database.target.url, max: 2 });
    const base = { number: 1, kind: "issue", task: "implement", trigger: "label", actor: "octocat", installationId: 1 } as const;
    for (const [index, repo] of ["acme/widgets", "acme/gadgets", "acme/secret"].entries()) runs.push(await opened.store.createRun({ ...base, repo, number: 10 + index }));
    api = await serveApi(opened.store, { now });
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    githubFor();
  });
  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await api.close();
    await sql.end();
    await opened.close();
    await database.dispose();
  });
  afterEach(() => {
    clock = Date.parse("2026-11-02T09:00:00.000Z");
  });

  it("issues a token from a session, shows its secret once, and reads only what the person may read with it", async () => {
    const { token, secret } = await issue({ cookie: writerSession() }, { name: "nightly report", scopes: ["runs:read"] });
    expect(secret).toMatch(/^aia_[A-Za-z0-9_-]{43}$/);
    expect(token).toMatchObject({ name: "nightly report", scopes: ["runs:read"], status: "active", createdAt: "2026-11-02T09:00:00.000Z", revokedAt: null, lastUsedAt: null });
    // 90 days unless asked otherwise.
    expect(token.expiresAt).toBe("2027-01-31T09:00:00.000Z");

    const listed = await call("/api/v1/runs", { token: secret });
    expect(listed.status).toBe(200);
    // octocat reads widgets and gadgets through this App; acme/secret only through another App.
    expect(repos(listed.body)).toEqual(new Set(["acme/widgets", "acme/gadgets"]));
    expect((await call(`/api/v1/runs/${runs[2]!.id}`, { token: secret })).status).toBe(404);

    const mine = await call("/api/v1/tokens", { cookie: writerSession() });
    const entry = tokenList.parse(mine.body).tokens.find((t) => t.id === token.id);
    expect(entry).toMatchObject({ name: "nightly report", lastUsedAt: "2026-11-02T09:00:00.000Z" });
    // Never the secret, nor its hash, again.
    expect(JSON.stringify(mine.body)).not.toContain(secret);
    expect(JSON.stringify(mine.body)).not.toContain(hashApiTokenSecret(secret));
    expect(Object.keys(entry!).sort()).toEqual(["createdAt", "expiresAt", "id", "lastUsedAt", "name", "revokedAt", "scopes", "status"]);
  });

  it("issues a token from a GitHub token, with that person's authorisation and no one else's", async () => {
    const { secret } = await issue({ token: READER }, { name: "hubot's script", scopes: ["runs:read", "runs:stop"], expiresInDays: 7 });
    expect(repos((await call("/api/v1/runs", { token: secret })).body)).toEqual(new Set(["acme/widgets"]));
    // hubot may read acme/widgets but not push there: its token may not stop a run either.
    const stop = await call(`/api/v1/runs/${runs[0]!.id}/stop`, { token: secret, method: "POST" });
    expect(stop).toMatchObject({ status: 403, body: { error: "stopping a run needs write access to acme/widgets" } });
    // hubot's tokens are hubot's: octocat's list does not show them.
    const octocats = tokenList.parse((await call("/api/v1/tokens", { token: WRITER })).body).tokens;
    expect(octocats.map((t) => t.name)).not.toContain("hubot's script");
  });

  it("refuses a route the token's scopes do not cover, naming the scope, before its grant is opened", async () => {
    const { secret } = await issue({ token: WRITER }, { name: "usage only", scopes: ["usage:read"] });
    expect(await call("/api/v1/runs", { token: secret })).toMatchObject({ status: 403, body: { error: "this API token lacks the scope `runs:read`; issue one with it on the dashboard's tokens page" } });
    expect((await call(`/api/v1/runs/${runs[0]!.id}/stop`, { token: secret, method: "POST" })).body.error).toContain("`runs:stop`");
    expect((await call("/api/v1/usage", { token: secret })).status).toBe(200);
    // Refused on the scope alone: with a grant that would not even open, the answer is still the 403.
    await sql.query("UPDATE ai_api_tokens SET sealed_grant = 'v1.garbage' WHERE secret_hash = $1", [hashApiTokenSecret(secret)]);
    expect((await call("/api/v1/runs", { token: secret })).status).toBe(403);
    expect((await call("/api/v1/usage", { token: secret })).status).toBe(401);

    const reader = await issue({ token: WRITER }, { name: "runs only", scopes: ["runs:read"] });
    expect((await call("/api/v1/usage", { token: reader.secret })).body.error).toContain("`usage:read`");
    const stopper = await issue({ token: WRITER }, { name: "stopper", scopes: ["runs:stop"] });
    const stopped = await call(`/api/v1/runs/${runs[1]!.id}/stop`, { token: stopper.secret, method: "POST" });
    expect(stopped).toMatchObject({ status: 200, body: { stopped: true, run: { status: "stopped", stopRequestedBy: "octocat" } } });
  });

  it("never lets an API token manage tokens, nor grants the tokens scope", async () => {
    const { secret } = await issue({ token: WRITER }, { name: "everything grantable", scopes: ["runs:read", "usage:read", "runs:stop"] });
    const refusal = "API tokens cannot manage API tokens; sign in on the dashboard, or use a GitHub token";
    expect(await call("/api/v1/tokens", { token: secret })).toMatchObject({ status: 403, body: { error: refusal } });
    expect(await call("/api/v1/tokens", { token: secret, body: { name: "successor", scopes: ["runs:read"] } })).toMatchObject({ status: 403, body: { error: refusal } });
    const mine = tokenList.parse((await call("/api/v1/tokens", { token: WRITER })).body).tokens;
    expect((await call(`/api/v1/tokens/${mine[0]!.id}/revoke`, { token: secret, method: "POST" })).status).toBe(403);

    const asked = await call("/api/v1/tokens", { token: WRITER, body: { name: "mint more", scopes: ["tokens"] } });
    expect(asked.status).toBe(400);
    expect(asked.body.error).toContain("`tokens` is never granted to an API token");
  });

  it("refuses an expired token with the date it expired", async () => {
    const { token, secret } = await issue({ token: WRITER }, { name: "one day", scopes: ["runs:read"], expiresInDays: 1 });
    expect(token.expiresAt).toBe("2026-11-03T09:00:00.000Z");
    clock += DAY - 1;
    expect((await call("/api/v1/runs", { token: secret })).status).toBe(200);
    clock += 1;
    expect(await call("/api/v1/runs", { token: secret })).toMatchObject({
      status: 401,
      body: { error: "this API token expired on 2026-11-03T09:00:00.000Z; issue a new one on the dashboard's tokens page" },
    });
    expect(tokenList.parse((await call("/api/v1/tokens", { token: WRITER })).body).tokens.find((t) => t.id === token.id)?.status).toBe("expired");
  });

  it("revokes a token, which is refused from then on; nobody revokes another person's", async () => {
    const { token, secret } = await issue({ token: WRITER }, { name: "to revoke", scopes: ["runs:read"] });
    const stranger = await call(`/api/v1/tokens/${token.id}/revoke`, { token: READER, method: "POST" });
    expect(stranger).toMatchObject({ status: 404, body: { error: "no API token of yours has this id" } });
    expect((await call("/api/v1/runs", { token: secret })).status).toBe(200);

    clock += HOUR;
    const revoked = await call(`/api/v1/tokens/${token.id}/revoke`, { cookie: writerSession(), method: "POST" });
    expect(revoked).toMatchObject({ status: 200, body: { token: { id: token.id, status: "revoked", revokedAt: "2026-11-02T10:00:00.000Z" } } });
    expect(await call("/api/v1/runs", { token: secret })).toMatchObject({
      status: 401,
      body: { error: "this API token was revoked on 2026-11-02T10:00:00.000Z; issue a new one on the dashboard's tokens page" },
    });
    expect((await call("/api/v1/tokens/not-a-uuid/revoke", { token: WRITER, method: "POST" })).status).toBe(400);
  });

  it("answers an unknown or malformed API token with 401, never asking GitHub about it", async () => {
    const unknown = `aia_${"A".repeat(43)}`;
    // GitHub is nock here with no answer for these: asking it would fail the request with 502.
    for (const token of [unknown, "aia_short", `${unknown}x`]) {
      expect(await call("/api/v1/runs", { token })).toMatchObject({ status: 401, body: { error: "this API token is not one this app issued; issue one on the dashboard's tokens page", sign_in: "/login?next=%2F" } });
    }
  });

  it("keeps neither the secret nor the GitHub token in the store, only a hash and ciphertext", async () => {
    const { token, secret } = await issue({ cookie: writerSession() }, { name: "stored", scopes: ["runs:read"] });
    const text = await tableText();
    expect(text).toContain(hashApiTokenSecret(secret));
    expect(text).not.toContain(secret);
    expect(text).not.toContain(secret.slice(4));
    expect(text).not.toContain(WRITER);
    expect(text).not.toContain(READER);
    const { rows } = await sql.query<{ sealed_grant: string }>("SELECT sealed_grant FROM ai_api_tokens WHERE id = $1", [token.id]);
    expect(rows[0]!.sealed_grant).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    // And a token pasted anywhere the app writes is redacted by its form.
    expect(redact(`export AI_AGENT_TOKEN=${secret}`)).toBe("export AI_AGENT_TOKEN=[redacted]");
  });

  it("opens a sealed grant only beside the token it was sealed for", async () => {
    const octocat = await issue({ token: WRITER }, { name: "octocat's", scopes: ["runs:read"] });
    const hubot = await issue({ token: READER }, { name: "hubot's", scopes: ["runs:read"] });
    // Someone who can write rows copies octocat's grant onto hubot's token, to read as octocat.
    await sql.query("UPDATE ai_api_tokens SET sealed_grant = (SELECT sealed_grant FROM ai_api_tokens WHERE id = $1) WHERE id = $2", [octocat.token.id, hubot.token.id]);
    expect(await call("/api/v1/runs", { token: hubot.secret })).toMatchObject({
      status: 401,
      body: { error: "the GitHub authorisation behind this token has ended; sign in again and issue a new token" },
    });
  });

  it("validates the body strictly, and takes it only as bounded JSON", async () => {
    const bad = async (body: unknown, contentType?: string) => call("/api/v1/tokens", { token: WRITER, body, ...(contentType ? { contentType } : {}) });
    expect((await bad({ name: "x", scopes: ["runs:read"], admin: true })).body).toEqual({ error: "unknown parameter `admin`" });
    expect((await bad({ name: "x", scopes: ["runs:read"], expiresInDays: 366 })).body.error).toMatch(/^bad parameter `expiresInDays`/);
    expect((await bad({ name: "x", scopes: ["runs:read"], expiresInDays: "30" })).status).toBe(400);
    expect((await bad({ name: "x", scopes: [] })).body).toEqual({ error: "bad parameter `scopes`: name at least one scope" });
    expect((await bad({ name: "x", scopes: ["runs:read", "runs:read"] })).body).toEqual({ error: "bad parameter `scopes`: each scope once" });
    expect((await bad({ name: "   ", scopes: ["runs:read"] })).body.error).toMatch(/^bad parameter `name`/);
    expect((await bad({ name: "line\nbreak", scopes: ["runs:read"] })).body).toEqual({ error: "bad parameter `name`: no control characters" });
    expect((await bad("{not json")).body).toEqual({ error: "the body is not JSON" });
    // A cross-site form can send text/plain without the browser asking first; JSON it cannot.
    const form = await bad(JSON.stringify({ name: "csrf", scopes: ["runs:read"] }), "text/plain");
    expect(form).toMatchObject({ status: 415, body: { error: "send the body as JSON, with `Content-Type: application/json`" } });
    const large = await bad({ name: "x", scopes: ["runs:read"], padding: "x".repeat(20_000) });
    expect(large).toMatchObject({ status: 413, body: { error: "Payload Too Large: API request bodies are limited to 8192 bytes" } });
    const names = tokenList.parse((await call("/api/v1/tokens", { token: WRITER })).body).tokens.map((t) => t.name);
    expect(names).not.toContain("csrf");
  });

  it("moves lastUsedAt at most once a minute", async () => {
    const { token, secret } = await issue({ token: WRITER }, { name: "busy", scopes: ["runs:read"] });
    const lastUsed = async () => tokenList.parse((await call("/api/v1/tokens", { token: WRITER })).body).tokens.find((t) => t.id === token.id)?.lastUsedAt;
    await call("/api/v1/runs", { token: secret });
    clock += 30_000;
    await call("/api/v1/runs", { token: secret });
    expect(await lastUsed()).toBe("2026-11-02T09:00:00.000Z");
    clock += 30_000;
    await call("/api/v1/runs", { token: secret });
    expect(await lastUsed()).toBe("2026-11-02T09:01:00.000Z");
  });

  describe("the functions the dashboard's tokens page calls", () => {
    const person = (login: string, githubUserId: number, credential: Caller["credential"] = { kind: "session", grant: { token: WRITER } }): Caller => ({
      login,
      githubUserId,
      token: WRITER,
      readable: new Set(),
      credential,
    });
    const deps = () => ({ store: opened.store, grants: grantKeeper(SECRET, client, now), now });

    it("issues, lists and revokes as the routes do, for the person only", async () => {
      const lisa = person("lisa", 3001);
      const { token, secret } = await issueToken(deps(), lisa, { name: "from the page", scopes: ["usage:read"], expiresInDays: 30 });
      expect(secret).toMatch(/^aia_/);
      expect((await listTokens(deps(), lisa)).map((t) => t.id)).toEqual([token.id]);
      await expect(revokeToken(deps(), person("bart", 3002), token.id)).rejects.toMatchObject({ status: 404 });
      expect(await revokeToken(deps(), lisa, token.id)).toMatchObject({ id: token.id, status: "revoked" });
      await expect(issueToken(deps(), lisa, { name: "", scopes: ["usage:read"] })).rejects.toThrow("bad parameter `name`");
      const byToken = person("lisa", 3001, { kind: "api token", tokenId: token.id, scopes: ["runs:read", "usage:read", "runs:stop"] });
      await expect(issueToken(deps(), byToken, { name: "successor", scopes: ["runs:read"] })).rejects.toBeInstanceOf(TokensRefused);
      await expect(listTokens(deps(), byToken)).rejects.toMatchObject({ status: 403 });
    });

    it("keeps API tokens out of the dashboard's pages, without sending them anywhere", async () => {
      const { secret } = await issue({ token: WRITER }, { name: "for the api", scopes: ["runs:read"] });
      const refuse = () => Promise.reject(new Error("GitHub must not be asked about an API token"));
      const readers = { signIn: { session: () => undefined, loginUrl: () => "/login" }, access: { readable: refuse }, people: { whoIs: refuse, canPush: refuse, isAdmin: refuse }, grants: grantKeeper(SECRET, client, now) };
      const request = { headers: { authorization: `Bearer ${secret}` } } as IncomingMessage;
      await expect(personCallerOf(request, readers)).rejects.toMatchObject({ status: 401, message: "API tokens are for /api/v1; sign in with GitHub for the dashboard" });
    });

    it("holds a person to MAX_ACTIVE_TOKENS active tokens; revoked and expired ones do not count", async () => {
      const busy = person("busy", 3101);
      const first = await issueToken(deps(), busy, { name: "short", scopes: ["runs:read"], expiresInDays: 1 });
      for (let n = 1; n < MAX_ACTIVE_TOKENS; n++) await issueToken(deps(), busy, { name: `script ${n}`, scopes: ["runs:read"] });
      await expect(issueToken(deps(), busy, { name: "one too many", scopes: ["runs:read"] })).rejects.toMatchObject({ status: 409 });
      await revokeToken(deps(), busy, (await listTokens(deps(), busy))[0]!.id);
      await issueToken(deps(), busy, { name: "in the freed place", scopes: ["runs:read"] });
      clock += DAY;
      expect((await listTokens(deps(), busy)).find((t) => t.id === first.token.id)?.status).toBe("expired");
      await issueToken(deps(), busy, { name: "in the expired one's place", scopes: ["runs:read"] });
    });
  });

  describe("when GitHub's user token behind an API token expires", () => {
    const monalisa = { login: "monalisa", id: 2001 };
    const session = () => sessionCookie({ ...monalisa, token: EXPIRING, refreshToken: REFRESH, expiresAt: clock + 8 * HOUR, refreshTokenExpiresAt: clock + 180 * DAY });
    let refreshes: Record<string, string>[] = [];

    let endpoint: nock.Interceptor | undefined;
    /** GitHub's token endpoint: a refresh token works once, as GitHub has it; used again it is refused. */
    const tokenEndpoint = (refuseAll = false) => {
      const used = new Set<string>();
      endpoint = nock("https://github.com").persist().post("/login/oauth/access_token");
      endpoint.reply((_uri, body) => {
        const fields = body as Record<string, string>;
        refreshes.push(fields);
        if (refuseAll || fields.grant_type !== "refresh_token" || fields.refresh_token !== REFRESH || used.has(fields.refresh_token) || fields.client_secret !== client.clientSecret) {
          return [200, { error: "bad_refresh_token", error_description: "The refresh token passed is incorrect or expired.", error_uri: "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-refresh-token" }];
        }
        used.add(fields.refresh_token);
        return [200, { access_token: RENEWED, expires_in: 28800, refresh_token: REFRESH_RENEWED, refresh_token_expires_in: 15811200, scope: "", token_type: "bearer" }];
      });
    };
    const storedGrant = async (id: string) => {
      const { rows } = await sql.query<{ sealed_grant: string; secret_hash: string }>("SELECT sealed_grant, secret_hash FROM ai_api_tokens WHERE id = $1", [id]);
      return { sealed: rows[0]!.sealed_grant, opened: grantKeeper(SECRET, client, now).open(rows[0]!.sealed_grant, rows[0]!.secret_hash) };
    };

    beforeAll(() => {
      personOnGitHub(EXPIRING, monalisa.login, monalisa.id, ["acme/gadgets"], false);
      personOnGitHub(RENEWED, monalisa.login, monalisa.id, ["acme/gadgets"], false);
    });
    afterEach(() => {
      refreshes = [];
      if (endpoint) nock.removeInterceptor(endpoint);
      endpoint = undefined;
    });

    it("renews it with the refresh token, seals the new grant, and answers as before", async () => {
      tokenEndpoint();
      const { token, secret } = await issue({ cookie: session() }, { name: "long-lived", scopes: ["runs:read"] });
      expect((await storedGrant(token.id)).opened).toEqual({ token: EXPIRING, refreshToken: REFRESH, expiresAt: clock + 8 * HOUR, refreshTokenExpiresAt: clock + 180 * DAY });
      expect(refreshes).toHaveLength(0);

      clock += 9 * HOUR;
      const listed = await call("/api/v1/runs", { token: secret });
      expect(listed.status).toBe(200);
      expect(repos(listed.body)).toEqual(new Set(["acme/gadgets"]));
      expect(refreshes).toEqual([{ client_id: client.clientId, client_secret: client.clientSecret, grant_type: "refresh_token", refresh_token: REFRESH }]);
      const renewed = await storedGrant(token.id);
      expect(renewed.opened).toEqual({ token: RENEWED, refreshToken: REFRESH_RENEWED, expiresAt: clock + 28800_000, refreshTokenExpiresAt: clock + 15811200_000 });
      // Sealed again: neither GitHub token is in the row as it is.
      for (const plain of [RENEWED, REFRESH_RENEWED, EXPIRING, REFRESH]) expect(renewed.sealed).not.toContain(plain);

      // The renewed grant serves the next call without another renewal.
      expect((await call("/api/v1/runs", { token: secret })).status).toBe(200);
      expect(refreshes).toHaveLength(1);
    });

    it("renews once for calls that arrive together", async () => {
      tokenEndpoint();
      const { token, secret } = await issue({ cookie: session() }, { name: "parallel", scopes: ["runs:read"] });
      clock += 9 * HOUR;
      const answers = await Promise.all([1, 2, 3].map(() => call("/api/v1/runs", { token: secret })));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      expect((await storedGrant(token.id)).opened?.token).toBe(RENEWED);
      // However the calls interleave, one refresh is accepted; any other met a used refresh token and took the stored grant.
      expect(refreshes.filter((fields) => fields.refresh_token === REFRESH).length).toBeGreaterThanOrEqual(1);
    });

    it("answers 401 when GitHub will not renew it", async () => {
      tokenEndpoint(true);
      const { secret } = await issue({ cookie: session() }, { name: "ended", scopes: ["runs:read"] });
      clock += 9 * HOUR;
      expect(await call("/api/v1/runs", { token: secret })).toMatchObject({
        status: 401,
        body: { error: "the GitHub authorisation behind this token has ended; sign in again and issue a new token" },
      });
    });

    it("renews it when GitHub stops taking the token before its time", async () => {
      tokenEndpoint();
      const { token, secret } = await issue({ cookie: session() }, { name: "cut short", scopes: ["runs:read"] });
      // GitHub now refuses the token (say the person's authorisations were reset); the cached answer has gone stale.
      await sql.query("UPDATE ai_api_tokens SET sealed_grant = $2 WHERE id = $1", [
        token.id,
        grantKeeper(SECRET, client, now).seal({ token: "ghu_nolongeracceptednolongeraccepted0000", refreshToken: REFRESH, expiresAt: clock + 8 * HOUR }, hashApiTokenSecret(secret), new Date(token.expiresAt)),
      ]);
      nock("https://api.github.com", { reqheaders: { authorization: "Bearer ghu_nolongeracceptednolongeraccepted0000" } })
        .get("/user/installations")
        .query(true)
        .reply(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });
      const listed = await call("/api/v1/runs", { token: secret });
      expect(listed.status).toBe(200);
      expect(refreshes).toHaveLength(1);
      expect((await storedGrant(token.id)).opened?.token).toBe(RENEWED);
    });

    it("answers 401 for a grant with nothing to renew it with once GitHub refuses it", async () => {
      const { token, secret } = await issue({ token: WRITER }, { name: "plain token", scopes: ["runs:read"] });
      await sql.query("UPDATE ai_api_tokens SET sealed_grant = $2 WHERE id = $1", [
        token.id,
        grantKeeper(SECRET, client, now).seal({ token: "gho_revokedbythepersonrevokedbyperson00" }, hashApiTokenSecret(secret), new Date(token.expiresAt)),
      ]);
      nock("https://api.github.com", { reqheaders: { authorization: "Bearer gho_revokedbythepersonrevokedbyperson00" } })
        .get("/user/installations")
        .query(true)
        .reply(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });
      tokenEndpoint();
      expect((await call("/api/v1/runs", { token: secret })).body.error).toBe("the GitHub authorisation behind this token has ended; sign in again and issue a new token");
      // No refresh token to renew with: GitHub's token endpoint is not asked.
      expect(refreshes).toHaveLength(0);
    });
  });
});
