import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/store/open.js";
import { loadEnvFile } from "../../src/web/env-file.js";
import { freePort } from "../helpers/app-process.js";
import { type TestDatabase, freshPglite } from "../helpers/databases.js";
import { type ProxyChannelService, startProxyChannelService } from "./proxy-channel.js";
import { type StartedApp, createChannelAt, startWeb, submittedForm } from "./setup-support.js";

describe("the setup page's manifest carries a webhook URL GitHub can reach", () => {
  let channels: ProxyChannelService;
  let db: TestDatabase;
  let database: Database;
  let dir: string;
  let envFile: string;
  const started: StartedApp[] = [];

  beforeAll(async () => {
    channels = await startProxyChannelService();
    db = await freshPglite();
    database = await db.open();
  });
  afterAll(async () => {
    await database?.close();
    await db?.dispose();
    await channels?.close();
  });
  afterEach(async () => {
    for (const app of started.splice(0)) await app.server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ai-agent-setup-"));
    envFile = path.join(dir, ".env");
  });

  async function setupPage(env: Record<string, string | undefined>, createChannel = createChannelAt(channels.base)) {
    const app = await startWeb(database, env, { envFile, createChannel });
    started.push(app);
    const res = await fetch(`${app.base}/probot`);
    expect(res.status).toBe(200);
    return { app, form: submittedForm(await res.text()) };
  }

  it("with nothing set: creates a proxy channel, registers it as the hook URL and keeps it in .env for the next start", async () => {
    const before = channels.created;
    const { app, form } = await setupPage({});
    expect(channels.created).toBe(before + 1);
    const channel = form.manifest.hook_attributes.url;
    expect(channel.startsWith(`${channels.base}/`)).toBe(true);
    expect(channel).not.toBe(`${channels.base}/new`);
    // The rest of the manifest is app.yml's, and GitHub sends the browser back to this server.
    expect(form.action).toBe("https://github.com/settings/apps/new");
    expect(form.manifest).toMatchObject({ name: "ai-agent", public: false, redirect_url: `${app.base}/probot/setup` });
    expect(form.manifest.default_permissions).toMatchObject({ pull_requests: "write", contents: "write" });
    expect(form.manifest.default_events).toContain("issue_comment");

    const remembered: NodeJS.ProcessEnv = {};
    loadEnvFile(envFile, remembered);
    expect(remembered.WEBHOOK_PROXY_URL).toBe(channel);
    await app.server.stop();
    started.length = 0;

    // A restart (the .env loaded, as main.ts does) uses the same channel and asks for no other.
    const again = await setupPage({ WEBHOOK_PROXY_URL: remembered.WEBHOOK_PROXY_URL });
    expect(again.form.manifest.hook_attributes.url).toBe(channel);
    expect(channels.created).toBe(before + 1);
  });

  it("with PUBLIC_URL: the public address's webhook path, and no channel", async () => {
    const before = channels.created;
    const { form } = await setupPage({ PUBLIC_URL: "https://agent.example.com/" });
    expect(form.manifest.hook_attributes.url).toBe("https://agent.example.com/api/github/webhooks");
    expect(channels.created).toBe(before);
    await expect(readFile(envFile, "utf8")).rejects.toThrow(/ENOENT/);
  });

  it("with PUBLIC_URL and another WEBHOOK_PATH: that path", async () => {
    const { form } = await setupPage({ PUBLIC_URL: "https://agent.example.com", WEBHOOK_PATH: "/hooks/github" });
    expect(form.manifest.hook_attributes.url).toBe("https://agent.example.com/hooks/github");
  });

  it("with a loopback PUBLIC_URL (docker-compose's default): a proxy channel, since GitHub cannot reach localhost", async () => {
    const before = channels.created;
    const { form } = await setupPage({ PUBLIC_URL: "http://localhost:3000" });
    expect(form.manifest.hook_attributes.url.startsWith(`${channels.base}/`)).toBe(true);
    expect(channels.created).toBe(before + 1);
  });

  it("with WEBHOOK_PROXY_URL: that channel, as given", async () => {
    const before = channels.created;
    const { form } = await setupPage({ WEBHOOK_PROXY_URL: "https://smee.io/preset-channel" });
    expect(form.manifest.hook_attributes.url).toBe("https://smee.io/preset-channel");
    expect(channels.created).toBe(before);
  });

  it("when no channel can be created: this server's webhook path, and a warning that says what to set", async () => {
    const closedPort = await freePort();
    const { app, form } = await setupPage({}, createChannelAt(`http://127.0.0.1:${closedPort}`));
    expect(form.manifest.hook_attributes.url).toBe(`${app.base}/api/github/webhooks`);
    const warning = app.log.lines().find((line) => line.includes("could not create a webhook proxy channel"));
    expect(warning).toContain("Set WEBHOOK_PROXY_URL");
    expect(warning).toContain("PUBLIC_URL");
  });

  it("keeps an explicit hook URL from app.yml", async () => {
    const custom = path.join(dir, "app.yml");
    await writeFile(custom, "name: custom-agent\ndescription: It's ours\nhook_attributes:\n  url: https://hooks.example.com/in\n");
    const app = await startWeb(database, {}, { envFile, appYml: custom, createChannel: createChannelAt(channels.base) });
    started.push(app);
    const form = submittedForm(await (await fetch(`${app.base}/probot`)).text());
    // The apostrophe in the description survives the page (it breaks Probot's).
    expect(form.manifest).toMatchObject({ name: "custom-agent", description: "It's ours", hook_attributes: { url: "https://hooks.example.com/in" } });
  });

  it("registers on an organisation with GH_ORG, as Probot's setup does", async () => {
    const app = await startWeb(database, { WEBHOOK_PROXY_URL: "https://smee.io/preset-channel" }, { envFile, org: "octo-org" });
    started.push(app);
    const form = submittedForm(await (await fetch(`${app.base}/probot`)).text());
    expect(form.action).toBe("https://github.com/organizations/octo-org/settings/apps/new");
    await expect(startWeb(database, {}, { envFile, org: "../evil" })).rejects.toThrow(/GH_ORG: expected an organisation's login/);
  });

  it("answers /healthz and /readyz before the app is registered, and / leads to the setup page", async () => {
    const { app } = await setupPage({ WEBHOOK_PROXY_URL: "https://smee.io/preset-channel" });
    const health = await fetch(`${app.base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", role: "all" });
    const ready = await fetch(`${app.base}/readyz`);
    expect(await ready.json()).toMatchObject({ database: { kind: "pglite", status: "reachable" } });
    const home = await fetch(`${app.base}/`, { redirect: "manual" });
    expect(home.headers.get("location")).toBe("/probot");
  });
});
