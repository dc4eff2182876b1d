import { randomUUID } from "node:crypto";
import { type Server, createServer } from "node:http";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppProcess, freePort, startApp } from "../helpers/app-process.js";
import { type TestDatabase, freshPostgres } from "../helpers/databases.js";
import { generatePrivateKey } from "../helpers/keys.js";
import { eventually } from "../helpers/app-server.js";
import { deliver, examplePayload } from "../helpers/webhooks.js";

const privateKey = generatePrivateKey();
const webhookSecret = "webhook-secret-for-tests-7f3a";
const metricsToken = "metrics-token-for-tests-0123456789";

describe("the app process (ROLE=all on PostgreSQL)", () => {
  let db: TestDatabase;
  let app: AppProcess;
  let base: string;
  /** GitHub (as an Enterprise host, GHE_HOST), answering the delivery log with an empty page. */
  let github: Server;
  const githubRequests: { method: string; url: string; authorization: string }[] = [];

  beforeAll(async () => {
    github = createServer((req, res) => {
      githubRequests.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization ?? "" });
      const log = req.method === "GET" && req.url?.startsWith("/api/v3/app/hook/deliveries");
      res.writeHead(log ? 200 : 404, { "content-type": "application/json" }).end(log ? "[]" : '{"message":"Not Found"}');
    });
    await new Promise<void>((resolve) => github.listen(0, "127.0.0.1", resolve));
    const githubPort = (github.address() as { port: number }).port;
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
      GHE_HOST: `127.0.0.1:${githubPort}`,
      GHE_PROTOCOL: "http",
      METRICS_TOKEN: metricsToken,
    });
    await app.waitForOutput("Listening on");
  });

  afterAll(async () => {
    if (app?.child.exitCode === null) app.child.kill("SIGKILL");
    await db?.dispose();
    github?.close();
  });

  it("answers /healthz while alive", async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.json()).toMatchObject({ status: "ok", role: "all" });
  });

  it("answers /readyz with the database reachable and the queue running, once its worker thread takes jobs", async () => {
    // The web thread answers from the start; the worker thread follows a moment later, and until then the app is not ready.
    const res = await eventually(async () => {
      const answer = await fetch(`${base}/readyz`);
      return answer.status === 200 ? answer : (expect(await answer.json()).toMatchObject({ status: "not ready", queue: "stopped" }), undefined);
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: "ready",
      role: "all",
      database: { kind: "postgres", status: "reachable" },
      queue: "running",
      intake: { backlog: 0 },
      sandbox: { kind: "bubblewrap", status: "working", network: "deny" },
    });
    expect(app.output()).toContain("commands run in the bubblewrap sandbox");
  });

  it("accepts a signed webhook and refuses forged or unsigned ones", async () => {
    const payload = examplePayload("installation", "created");
    expect((await deliver(`${base}/api/github/webhooks`, "installation", payload, webhookSecret)).status).toBe(200);
    expect((await deliver(`${base}/api/github/webhooks`, "installation", payload, "wrong-secret")).status).toBeGreaterThanOrEqual(400);
    expect((await deliver(`${base}/api/github/webhooks`, "installation", payload, null)).status).toBeGreaterThanOrEqual(400);
  });

  it("reads GitHub's delivery log as the app once it has started", async () => {
    const read = await eventually(async () => githubRequests.find((r) => r.url.startsWith("/api/v3/app/hook/deliveries")));
    expect(read).toMatchObject({ method: "GET", url: "/api/v3/app/hook/deliveries?per_page=100" });
    expect(read.authorization).toMatch(/^bearer eyJ/);
  });

  it("runs its worker on a thread of its own, whose metrics /metrics serves with the web thread's", async () => {
    const lines = () => app.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    await eventually(async () => lines().find((l) => l.msg === "worker taking jobs"));
    expect(lines().find((l) => l.msg === "worker taking jobs")).toMatchObject({ thread: "worker" });
    expect(lines().find((l) => l.msg === "Listening on" || String(l.msg).startsWith("Listening on"))).not.toHaveProperty("thread");
    // The delivery log is read by the worker's recovery job, on the worker thread; the deliveries
    // are counted where they arrive, on the main one. One scrape shows both.
    await eventually(async () => githubRequests.find((r) => r.url.startsWith("/api/v3/app/hook/deliveries")));
    const text = await eventually(async () => {
      const body = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
      return /ai_agent_github_requests_total\{[^}]*\} [1-9]/.test(body) && /ai_agent_webhook_deliveries_total\{[^}]*result="received"[^}]*\} [1-9]/.test(body) ? body : undefined;
    });
    expect(text).toContain("ai_agent_queue_depth");
  });

  it("drains and exits 0 on SIGTERM, with what it acknowledged written, never having logged a secret", async () => {
    const id = randomUUID();
    const payload = examplePayload("issue_comment", "created");
    expect((await deliver(`${base}/api/github/webhooks`, "issue_comment", payload, webhookSecret, id)).status).toBe(200);
    app.child.kill("SIGTERM");
    expect(await app.exited).toBe(0);
    if (db.target.kind !== "postgres") throw new Error("expected PostgreSQL");
    const client = new pg.Client({ connectionString: db.target.url });
    await client.connect();
    const { rows } = await client.query(
      `SELECT id FROM ai_deliveries WHERE id = $1
       UNION ALL SELECT $1 FROM agenda_jobs WHERE name = 'intake' AND data->'entries' @> $2::jsonb`,
      [id, JSON.stringify([{ delivery: { id } }])],
    );
    await client.end();
    expect(rows.length).toBeGreaterThanOrEqual(1);
    const output = app.output();
    // Both threads drained and stopped, the worker's first.
    const stopped = output.split("\n").filter((l) => l.includes('"msg":"stopped"'));
    expect(stopped).toHaveLength(2);
    expect(stopped[0]).toContain('"thread":"worker"');
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
