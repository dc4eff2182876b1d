import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppProcess, freePort, startApp } from "../helpers/app-process.js";
import { type TestDatabase, freshPostgres } from "../helpers/databases.js";
import { generatePrivateKey } from "../helpers/keys.js";
import { deliver, examplePayload } from "../helpers/webhooks.js";

const privateKey = generatePrivateKey();
const webhookSecret = "webhook-secret-for-tests-7f3a";

describe("the app process (ROLE=all on PostgreSQL)", () => {
  let db: TestDatabase;
  let app: AppProcess;
  let base: string;

  beforeAll(async () => {
    db = await freshPostgres();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    if (db.target.kind !== "postgres") throw new Error("expected PostgreSQL");
    app = startApp({
      APP_ID: "12345",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: webhookSecret,
      DATABASE_URL: db.target.url,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "debug",
    });
    await app.waitForOutput("Listening on");
  });

  afterAll(async () => {
    if (app?.child.exitCode === null) app.child.kill("SIGKILL");
    await db?.dispose();
  });

  it("answers /healthz while alive", async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.json()).toMatchObject({ status: "ok", role: "all" });
  });

  it("answers /readyz with the database reachable and the queue running", async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: "ready",
      role: "all",
      database: { kind: "postgres", status: "reachable" },
      queue: "running",
      intake: { backlog: 0 },
    });
  });

  it("accepts a signed webhook and refuses forged or unsigned ones", async () => {
    const payload = examplePayload("installation", "created");
    expect((await deliver(`${base}/api/github/webhooks`, "installation", payload, webhookSecret)).status).toBe(200);
    expect((await deliver(`${base}/api/github/webhooks`, "installation", payload, "wrong-secret")).status).toBeGreaterThanOrEqual(400);
    expect((await deliver(`${base}/api/github/webhooks`, "installation", payload, null)).status).toBeGreaterThanOrEqual(400);
  });

  it("drains and exits 0 on SIGTERM, never having logged a secret", async () => {
    app.child.kill("SIGTERM");
    expect(await app.exited).toBe(0);
    const output = app.output();
    expect(output).toContain('"msg":"stopped"');
    expect(output).not.toContain(webhookSecret);
    for (const line of privateKey.split("\n").filter((l) => l.length > 20)) expect(output).not.toContain(line);
  });
});

describe("the app process with a bad environment", () => {
  it("stops with one line naming the variable, and no secret in it", async () => {
    const app = startApp({ APP_ID: "1", PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\ntruncated-secret-material", PORT: "http" });
    expect(await app.exited).toBe(1);
    const lines = app.output().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ai-agent: invalid environment: .*PRIVATE_KEY: expected a PEM private key/);
    expect(lines[0]).toContain("PORT: expected a whole number");
    expect(app.output()).not.toContain("truncated-secret-material");
  });

  it("stops with one clear line when the database cannot be reached", async () => {
    const port = await freePort();
    const app = startApp({ DATABASE_URL: `postgres://ai:pw-not-shown@127.0.0.1:${port}/none`, LOG_FORMAT: "json" });
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain("cannot open the postgres database");
    expect(app.output()).not.toContain("pw-not-shown");
  });
});
