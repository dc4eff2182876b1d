import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { type Server, createServer } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/store/open.js";
import { loadEnvFile } from "../../src/web/env-file.js";
import { type TestDatabase, freshPglite } from "../helpers/databases.js";
import { generatePrivateKey } from "../helpers/keys.js";
import { deliver, examplePayload } from "../helpers/webhooks.js";
import { type ProxyChannelService, startProxyChannelService } from "./proxy-channel.js";
import { type StartedApp, createChannelAt, startWeb, submittedForm } from "./setup-support.js";

/**
 * A first run as a newcomer has it: setup page, "Register GitHub App" on (a local) GitHub, the
 * redirect back with the code, a restart with the written .env, and a delivery that GitHub posts
 * to the hook URL of the manifest reaching the app's webhook handler through the proxy channel.
 */
describe("first run: register through the setup page, restart, and receive webhooks through the proxy channel", () => {
  let channels: ProxyChannelService;
  let github: Server;
  let githubBase: string;
  let db: TestDatabase;
  let database: Database;
  let dir: string;
  let envFile: string;
  let setup: StartedApp | undefined;
  let registered: StartedApp | undefined;
  const pem = generatePrivateKey();
  const webhookSecret = "6c1f0a9e4b2d8f7a3e5c9b1d0f2a4c6e";
  const conversions: string[] = [];

  beforeAll(async () => {
    channels = await startProxyChannelService();
    // GitHub Enterprise (GHE_HOST) here: the manifest conversion, answered with the fields GitHub
    // documents for POST /app-manifests/{code}/conversions.
    github = createServer((req, res) => {
      const match = /^\/api\/v3\/app-manifests\/([^/]+)\/conversions$/.exec(req.url ?? "");
      if (req.method !== "POST" || !match) return void res.writeHead(404, { "content-type": "application/json" }).end('{"message":"Not Found"}');
      conversions.push(match[1] ?? "");
      res.writeHead(201, { "content-type": "application/json" }).end(
        JSON.stringify({
          id: 424242,
          slug: "ai-agent-octocat",
          node_id: "MDM6QXBwNTk=",
          owner: { login: "octocat", id: 1, type: "User" },
          name: "ai-agent",
          description: "A Claude-powered agent",
          external_url: "https://github.com/ai-agent/ai-agent",
          html_url: `${githubBase}/apps/ai-agent-octocat`,
          created_at: "2024-01-01T00:00:00Z",
          updated_at: "2024-01-01T00:00:00Z",
          permissions: { contents: "write", issues: "write", metadata: "read" },
          events: ["issues", "issue_comment", "pull_request"],
          client_id: "Iv1.8a61f9b3a7aba766",
          client_secret: "1726be1638095a19edd134c77bde3aa2ece1e5d8",
          webhook_secret: webhookSecret,
          pem,
        }),
      );
    });
    await new Promise<void>((resolve) => github.listen(0, "127.0.0.1", resolve));
    githubBase = `http://127.0.0.1:${(github.address() as { port: number }).port}`;
    db = await freshPglite();
    database = await db.open();
    dir = await mkdtemp(path.join(tmpdir(), "ai-agent-first-run-"));
    envFile = path.join(dir, ".env");
    // A .env copied from .env.example: its comments and blanks must survive the setup's writes.
    await writeFile(envFile, "# The numeric App ID\nAPP_ID=\n# The Anthropic key\nANTHROPIC_API_KEY=\n");
  });

  afterAll(async () => {
    await setup?.server.stop();
    await registered?.server.stop();
    await database?.close();
    await db?.dispose();
    await channels?.close();
    github?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const env = () => ({ NODE_ENV: "production", GHE_HOST: new URL(githubBase).host, GHE_PROTOCOL: "http" });

  it("in production, asks for the one-time token it logs before it shows the setup page", async () => {
    setup = await startWeb(database, env(), { envFile, createChannel: createChannelAt(channels.base) });
    expect((await fetch(`${setup.base}/probot`)).status).toBe(403);
    expect((await fetch(`${setup.base}/probot?token=guess`)).status).toBe(403);
    expect((await fetch(`${setup.base}/probot/setup?code=abc`)).status).toBe(403);
    // The token-less pages answer: a container's health check runs before anyone has set up anything.
    expect((await fetch(`${setup.base}/healthz`)).status).toBe(200);
  });

  let cookie = "";
  let hookUrl = "";

  it("registers the App from the code GitHub sends back, writing its credentials into .env", async () => {
    if (!setup) throw new Error("the setup server did not start");
    const line = setup.log.lines().find((l) => l.includes("to register the GitHub App")) ?? "";
    const token = /[?&]token=([\w-]+)/.exec(line)?.[1];
    expect(token).toBeDefined();
    const page = await fetch(`${setup.base}/probot?token=${token}`);
    expect(page.status).toBe(200);
    cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const form = submittedForm(await page.text());
    expect(form.action).toBe(`${githubBase}/settings/apps/new`);
    hookUrl = form.manifest.hook_attributes.url;
    expect(hookUrl.startsWith(`${channels.base}/`)).toBe(true);

    // GitHub's redirect back, in the same browser (so with the cookie).
    const back = await fetch(`${setup.base}/probot/setup?code=a1b2c3d4`, { headers: { cookie }, redirect: "manual" });
    expect(back.status).toBe(302);
    expect(back.headers.get("location")).toBe(`${githubBase}/apps/ai-agent-octocat/installations/new`);
    expect(conversions).toEqual(["a1b2c3d4"]);

    const text = await readFile(envFile, "utf8");
    expect(text).toContain("# The numeric App ID\nAPP_ID=424242\n# The Anthropic key\nANTHROPIC_API_KEY=\n");
    expect((await stat(envFile)).mode & 0o777).toBe(0o600);
    const written: NodeJS.ProcessEnv = {};
    loadEnvFile(envFile, written);
    expect(written).toMatchObject({ APP_ID: "424242", WEBHOOK_SECRET: webhookSecret, WEBHOOK_PROXY_URL: hookUrl });
    expect(written.PRIVATE_KEY?.trim()).toBe(pem.trim());
    // A second registration into the same process is refused: restart first.
    expect((await fetch(`${setup.base}/probot/setup?code=other`, { headers: { cookie } })).status).toBe(409);
  });

  it("after a restart, a delivery GitHub posts to the registered hook URL reaches the app's webhook handler", async () => {
    await setup?.server.stop();
    setup = undefined;
    const written: NodeJS.ProcessEnv = {};
    loadEnvFile(envFile, written);
    registered = await startWeb(database, { ...env(), ...written }, { envFile });
    // The setup pages are gone once the App is registered.
    expect((await fetch(`${registered.base}/probot`)).status).toBe(404);
    await channels.listening(hookUrl);

    const payload = examplePayload("issues", "labeled");
    const id = randomUUID();
    expect((await deliver(hookUrl, "issues", payload, webhookSecret, id)).status).toBe(200);
    await registered.log.waitFor("/api/github/webhooks - 200");
    expect(registered.accepted.map((entry) => entry.delivery)).toEqual([expect.objectContaining({ id, event: "issues", action: "labeled" })]);

    // The replay is checked like a direct delivery: a wrong signature does not get in.
    await deliver(hookUrl, "issues", payload, "not-the-secret");
    await registered.log.waitFor("/api/github/webhooks - 400");
    expect(registered.accepted).toHaveLength(1);
  });
});
