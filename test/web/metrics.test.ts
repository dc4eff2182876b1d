import nock from "nock";
import { pino } from "pino";
import type { Server } from "probot";
import { loadConfig } from "../../src/config/env.js";
import { createApp } from "../../src/index.js";
import { IntakeWriter } from "../../src/runs/intake-writer.js";
import type { Store } from "../../src/store/types.js";
import { AppMetrics } from "../../src/web/metrics.js";
import { metricsOnApp } from "../../src/web/metrics-route.js";
import { startWebServer } from "../../src/web/server.js";
import { generatePrivateKey } from "../helpers/keys.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { IssueCommentCreatedEvent } from "@octokit/webhooks-types";
import type { TaskRegistry } from "../../src/runs/tasks.js";
import { freePort } from "../helpers/app-process.js";
import { type TestApp, WEBHOOK_SECRET, eventually, startTestApp } from "../helpers/app-server.js";
import { type FakeGitHub, fakeGitHub } from "../helpers/fake-github.js";
import { parseExposition } from "../helpers/metrics-text.js";
import { deliver, examplePayload, labeledPayload } from "../helpers/webhooks.js";

const TOKEN = "metrics-token-0123456789abcdef";
const REPO = "Codertocat/Hello-World";

/** Runs waiting in a step until the test lets them go on. */
const waiting = new Set<() => void>();
const hold = () => new Promise<void>((resolve) => waiting.add(resolve));
const release = () => {
  for (const resume of waiting) resume();
  waiting.clear();
};
const tasks: TaskRegistry = {
  implement: async (ctx) => {
    await ctx.step("wait", "Wait for the test", hold);
    return { summary: "Changed one file." };
  },
  plan: async (ctx) => {
    await ctx.step("plan", "Plan", async () => {
      throw new Error("the planner fell over");
    });
    return {};
  },
};

const planComment = (number: number) => {
  const payload = examplePayload<IssueCommentCreatedEvent>("issue_comment", "created");
  payload.issue.number = number;
  payload.comment.id = 7_000 + number;
  payload.comment.body = "/ai plan";
  return payload;
};

const scrape = async (url: string, token?: string) => {
  const res = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
};

describe("/metrics behind METRICS_TOKEN, fed by the running app", () => {
  let app: TestApp;
  let github: FakeGitHub | undefined;
  const metricsUrl = () => `${app.base}/metrics`;
  const metricsNow = async () => {
    const answer = await scrape(metricsUrl(), TOKEN);
    expect(answer.status).toBe(200);
    return parseExposition(answer.text);
  };
  const runsOn = (number: number) => app.database.store.listRuns({ repo: REPO, number });

  beforeAll(async () => {
    app = await startTestApp(tasks, { env: { METRICS_TOKEN: TOKEN } });
  });
  afterEach(() => {
    release();
    github?.done();
    github = undefined;
  });
  afterAll(async () => {
    release();
    await app?.close();
  });

  it("serves every metric family in Prometheus' text format to the token", async () => {
    const answer = await scrape(metricsUrl(), TOKEN);
    expect(answer.status).toBe(200);
    expect(answer.type).toBe("text/plain; version=0.0.4; charset=utf-8");
    const families = parseExposition(answer.text).families;
    const names = app.metrics.names();
    expect(names).toEqual(
      expect.arrayContaining([
        "ai_agent_webhook_deliveries_total",
        "ai_agent_intake_backlog",
        "ai_agent_queue_depth",
        "ai_agent_run_pickup_seconds",
        "ai_agent_run_duration_seconds",
        "ai_agent_runs_total",
        "ai_agent_model_tokens_total",
        "ai_agent_model_cost_usd_total",
        "ai_agent_github_requests_total",
        "ai_agent_github_rate_limit_remaining",
        "ai_agent_errors_total",
      ]),
    );
    for (const name of names) expect(families.has(name), name).toBe(true);
    expect(families.get("ai_agent_run_duration_seconds")).toBe("histogram");
    expect(families.get("ai_agent_queue_depth")).toBe("gauge");
  });

  it("answers 401 and no figures without the token, with another token, or with it in another scheme", async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer not-the-metrics-token-at-all" }, { authorization: `Bearer ${TOKEN}x` }, { authorization: `Basic ${TOKEN}` }, { authorization: TOKEN }];
    for (const headers of attempts) {
      const res = await fetch(metricsUrl(), { headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await res.text()).not.toContain("ai_agent_");
    }
  });

  it("counts deliveries received and refused for a bad signature, and does not label by a made-up event", async () => {
    const before = await metricsNow();
    github = fakeGitHub();
    const refused = await deliver(app.webhookUrl, "issues", labeledPayload(90), "not-the-webhook-secret");
    expect(refused.status).toBe(400);
    await deliver(app.webhookUrl, "made_up_event_1234", { zen: "x" }, "not-the-webhook-secret");
    expect((await deliver(app.webhookUrl, "ping", { zen: "Keep it logically awesome.", hook_id: 1 }, WEBHOOK_SECRET)).status).toBe(200);

    const after = await metricsNow();
    const delta = (labels: Record<string, string>) => after.value("ai_agent_webhook_deliveries_total", labels) - before.value("ai_agent_webhook_deliveries_total", labels);
    expect(delta({ event: "issues", result: "refused_bad_signature" })).toBe(1);
    expect(delta({ event: "other", result: "refused_bad_signature" })).toBe(1);
    expect(delta({ event: "ping", result: "received" })).toBe(1);
    expect(after.samples.some((s) => s.labels.event === "made_up_event_1234")).toBe(false);
  });

  it("moves the queue depth, the run counters, the pickup and duration histograms as runs go through the real queue", async () => {
    github = fakeGitHub();
    github.permissions.set("Codertocat", "write");
    const before = await metricsNow();

    expect((await deliver(app.webhookUrl, "issues", labeledPayload(91), WEBHOOK_SECRET)).status).toBe(200);
    await eventually(async () => (await runsOn(91)).some((r) => r.status === "running") && waiting.size > 0);
    const running = await metricsNow();
    expect(running.value("ai_agent_queue_depth", { state: "running" })).toBe(1);
    expect(running.value("ai_agent_webhook_deliveries_total", { event: "issues", result: "received" }) - before.value("ai_agent_webhook_deliveries_total", { event: "issues", result: "received" })).toBe(1);
    release();
    await eventually(async () => (await runsOn(91)).some((r) => r.status === "succeeded"));

    await deliver(app.webhookUrl, "issue_comment", planComment(92), WEBHOOK_SECRET);
    await eventually(async () => (await runsOn(92)).some((r) => r.status === "failed"));

    // The counters move once the run's end is recorded; the metrics follow right after.
    const after = await eventually(async () => {
      const now = await metricsNow();
      return now.value("ai_agent_runs_total", { task: "plan", outcome: "failed" }) > before.value("ai_agent_runs_total", { task: "plan", outcome: "failed" }) && now;
    });
    const delta = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
    expect(delta("ai_agent_runs_total", { task: "implement", outcome: "succeeded" })).toBe(1);
    expect(delta("ai_agent_runs_total", { task: "plan", outcome: "failed" })).toBe(1);
    expect(delta("ai_agent_errors_total", { kind: "internal" })).toBe(1);
    expect(delta("ai_agent_run_pickup_seconds_count", { task: "implement" })).toBe(1);
    expect(delta("ai_agent_run_pickup_seconds_count", { task: "plan" })).toBe(1);
    expect(delta("ai_agent_run_duration_seconds_count", { task: "implement", outcome: "succeeded" })).toBe(1);
    expect(delta("ai_agent_run_duration_seconds_count", { task: "plan", outcome: "failed" })).toBe(1);
    // Every observation falls in the +Inf bucket, whatever it measured.
    expect(delta("ai_agent_run_duration_seconds_bucket", { task: "implement", outcome: "succeeded", le: "+Inf" })).toBe(1);
    expect(after.value("ai_agent_queue_depth", { state: "running" })).toBe(0);
    expect(after.value("ai_agent_intake_backlog")).toBe(0);
    // The fake GitHub answered the runs' calls (permission, config, reaction, comments).
    expect(delta("ai_agent_github_requests_total", { method: "POST", status: "201" })).toBeGreaterThan(0);
  });

  it("counts the app client's GitHub requests and keeps the rate limit the answers report", async () => {
    const before = await metricsNow();
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    const api = nock("https://api.github.com")
      .get("/app")
      .reply(200, { id: 9001, slug: "ai-agent", name: "ai-agent" }, { "x-ratelimit-remaining": "4321", "x-ratelimit-resource": "core" })
      .get("/app/installations")
      .reply(502, { message: "Server Error" }, { "x-ratelimit-remaining": "4320", "x-ratelimit-resource": "core" })
      .post("/app/installations/1/access_tokens")
      .reply(201, { token: "ghs_metricsTestToken0123456789abcdefABCD", expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {} })
      .post("/graphql")
      .reply(200, { data: { viewer: { login: "ai-agent[bot]" } } }, { "x-ratelimit-remaining": "4999", "x-ratelimit-resource": "graphql" });
    try {
      const client = await app.access.appClient();
      await client.request("GET /app");
      await expect(client.request("GET /app/installations", { request: { retries: 0 } })).rejects.toMatchObject({ status: 502 });
      // An installation's client: its token request, then GraphQL with the token.
      await (await app.access.github(1)).graphql("query { viewer { login } }");
      expect(api.isDone()).toBe(true);
    } finally {
      nock.cleanAll();
      nock.enableNetConnect();
    }
    const after = await metricsNow();
    const delta = (labels: Record<string, string>) => after.value("ai_agent_github_requests_total", labels) - before.value("ai_agent_github_requests_total", labels);
    expect(delta({ method: "GET", status: "200" })).toBe(1);
    expect(delta({ method: "GET", status: "502" })).toBe(1);
    expect(delta({ method: "POST", status: "201" })).toBe(1);
    expect(delta({ method: "POST", status: "200" })).toBe(1);
    expect(after.value("ai_agent_github_rate_limit_remaining", { resource: "core" })).toBe(4320);
    expect(after.value("ai_agent_github_rate_limit_remaining", { resource: "graphql" })).toBe(4999);
  });
});

describe("deliveries refused at the door, in a web process", () => {
  let server: Server | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it("counts a delivery the intake backlog cannot take and one too large, and reads the backlog at scrape time", async () => {
    const secret = "metrics-door-secret";
    const port = await freePort();
    const config = loadConfig({ APP_ID: "1", PRIVATE_KEY: generatePrivateKey(), WEBHOOK_SECRET: secret, PORT: String(port), HOST: "127.0.0.1", METRICS_TOKEN: TOKEN });
    // A database that never answers: the first delivery's write hangs, the second waits, the third is refused.
    const writer = new IntakeWriter({ enqueue: () => new Promise<void>(() => undefined), log: { warn: () => undefined, error: () => undefined }, capacity: 1, lingerMs: 0 });
    const metrics = new AppMetrics();
    metrics.observe({ intakeBacklog: () => writer.backlog, activeRuns: () => Promise.reject(new Error("the database is out of reach")) });
    const store = { kind: "postgres" } as Store; // the webhook path never reads the store
    const onApp = metricsOnApp(config, metrics);
    server = await startWebServer(
      config,
      pino({ level: "silent" }),
      createApp({ store, role: "web", queueProcessing: () => null, intake: writer, appId: 1, metrics, ...(onApp ? { metricsRoute: onApp } : {}) }),
      { metrics },
    );
    const url = `http://127.0.0.1:${port}/api/github/webhooks`;
    const payload = examplePayload("issue_comment", "created");
    for (let i = 0; i < 2; i++) expect((await deliver(url, "issue_comment", payload, secret)).status).toBe(200);
    expect((await deliver(url, "issue_comment", payload, secret)).status).toBeGreaterThanOrEqual(500);
    const large = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(26 * 1024 * 1024), "x-github-event": "issues", "x-github-delivery": "d-large", "x-hub-signature-256": "sha256=00" },
      body: "{}",
    }).catch(() => undefined); // a server may close the connection on a body it refuses
    if (large) expect(large.status).toBe(413);

    const text = parseExposition((await scrape(`http://127.0.0.1:${port}/metrics`, TOKEN)).text);
    expect(text.value("ai_agent_webhook_deliveries_total", { event: "issue_comment", result: "received" })).toBe(3);
    expect(text.value("ai_agent_webhook_deliveries_total", { event: "issue_comment", result: "refused_backlog_full" })).toBe(1);
    expect(text.value("ai_agent_webhook_deliveries_total", { event: "issues", result: "refused_too_large" })).toBe(1);
    expect(text.value("ai_agent_intake_backlog")).toBe(1);
    // The database out of reach: the queue gauge is left out rather than made up, and the rest is served.
    expect(text.samples.some((s) => s.name === "ai_agent_queue_depth")).toBe(false);
  });
});

describe("/metrics on METRICS_PORT", () => {
  let app: TestApp;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    app = await startTestApp({}, { env: { METRICS_PORT: String(port) } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("is served on its own port without a token, and not on the app's port", async () => {
    const own = await scrape(`http://127.0.0.1:${port}/metrics`);
    expect(own.status).toBe(200);
    expect(parseExposition(own.text).families.has("ai_agent_runs_total")).toBe(true);
    expect((await scrape(`http://127.0.0.1:${port}/healthz`)).status).toBe(404);
    const main = await scrape(`${app.base}/metrics`);
    expect(main.status).toBe(404);
    expect(main.text).not.toContain("ai_agent_");
  });
});

describe("/metrics when neither METRICS_TOKEN nor METRICS_PORT is set", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({});
  });
  afterAll(async () => {
    await app?.close();
  });

  it("is not served", async () => {
    const answer = await scrape(`${app.base}/metrics`, TOKEN);
    expect(answer.status).toBe(404);
    expect(answer.text).not.toContain("ai_agent_");
  });
});
