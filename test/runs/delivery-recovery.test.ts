import { randomUUID } from "node:crypto";
import nock from "nock";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { IssueCommentCreatedEvent, IssuesLabeledEvent } from "@octokit/webhooks-types";
import { loadConfig } from "../../src/config/env.js";
import { createApp } from "../../src/index.js";
import { scheduleDeliveryRecovery } from "../../src/runs/intake-jobs.js";
import { IntakeWriter } from "../../src/runs/intake-writer.js";
import { JobQueue } from "../../src/runs/queue.js";
import { type RecoveryOptions, recoverDeliveries } from "../../src/runs/recover-deliveries.js";
import { startWebServer } from "../../src/web/server.js";
import { freePort } from "../helpers/app-process.js";
import { type TestApp, WEBHOOK_SECRET, eventually, startTestApp } from "../helpers/app-server.js";
import { type FakeGitHub, fakeGitHub } from "../helpers/fake-github.js";
import { generatePrivateKey } from "../helpers/keys.js";
import { deliver, examplePayload } from "../helpers/webhooks.js";

const REPO = "Codertocat/Hello-World";
const MINUTE = 60_000;

/** One attempt as GitHub's delivery log lists it (`GET /app/hook/deliveries`). */
interface Attempt {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  duration: number;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
  installation_id: number | null;
  repository_id: number | null;
  throttled_at: string | null;
}

/**
 * GitHub's side of an app's webhook: it delivers (or fails to reach the app), keeps every attempt
 * in the delivery log with GitHub's fields, serves the log newest first in pages with a cursor in
 * the Link header, and on `POST …/attempts` sends the same delivery again with the same guid.
 */
class DeliveryLog {
  readonly attempts: Attempt[] = [];
  readonly pagesRead: string[] = [];
  readonly redeliveryRequests: { id: number; authorization: string }[] = [];
  private readonly payloads = new Map<string, { event: string; payload: unknown }>();
  private nextId = 9_000_000;
  /** GitHub's clock for `delivered_at`; tests move it on. */
  now = Date.now();
  appUp = true;

  /** `url`: where the app's webhook points; a restarted app may serve it from another process. */
  constructor(public url: string) {
    const redeliver = (uri: string, authorization: string) => this.redeliver(uri, authorization);
    nock("https://api.github.com")
      .persist()
      .get("/app/hook/deliveries")
      .query(true)
      .reply((uri) => this.page(uri))
      .post(/^\/app\/hook\/deliveries\/\d+\/attempts$/)
      .reply(function (this: nock.ReplyFnContext, uri) {
        return redeliver(uri, this.req.headers.authorization as string);
      });
  }

  /** Delivers an event as GitHub would, and logs the attempt with what the app answered. */
  async deliver(event: string, payload: unknown, guid: string = randomUUID(), redelivery = false): Promise<string> {
    this.payloads.set(guid, { event, payload });
    let status_code = 502;
    let status = "failed to connect";
    if (this.appUp) {
      status_code = (await deliver(this.url, event, payload, WEBHOOK_SECRET, guid)).status;
      status = status_code < 300 ? "OK" : "Invalid HTTP Response: " + status_code;
    }
    this.log({ guid, event, action: (payload as { action?: string }).action ?? null, status, status_code, redelivery });
    return guid;
  }

  /** An attempt in the log only: one from before the window, or an event the app does not listen to. */
  log(fields: Pick<Attempt, "guid" | "event" | "action" | "status" | "status_code" | "redelivery">, at = this.now): Attempt {
    const attempt: Attempt = {
      id: this.nextId++,
      delivered_at: new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z"),
      duration: 0.03,
      installation_id: 1,
      repository_id: 1296269,
      throttled_at: null,
      ...fields,
    };
    this.attempts.push(attempt);
    return attempt;
  }

  private page(uri: string): [number, unknown, Record<string, string>] {
    const query = new URL(uri, "https://api.github.com").searchParams;
    const cursor = query.get("cursor") ?? "";
    this.pagesRead.push(cursor);
    const perPage = Number(query.get("per_page") ?? 30);
    const newestFirst = [...this.attempts].sort((a, b) => b.id - a.id);
    const start = cursor ? newestFirst.findIndex((a) => a.id < Number(cursor.slice(3))) : 0;
    const items = newestFirst.slice(start, start + perPage);
    const rest = newestFirst.slice(start + perPage);
    const headers: Record<string, string> = {};
    if (rest.length > 0) {
      headers.link = `<https://api.github.com/app/hook/deliveries?per_page=${perPage}&cursor=v1_${items.at(-1)!.id}>; rel="next"`;
    }
    return [200, items, headers];
  }

  private redeliver(uri: string, authorization: string): [number, unknown] {
    const id = Number(/deliveries\/(\d+)\/attempts/.exec(uri)![1]);
    this.redeliveryRequests.push({ id, authorization });
    const attempt = this.attempts.find((a) => a.id === id);
    const original = attempt && this.payloads.get(attempt.guid);
    if (!attempt || !original) return [404, { message: "Not Found" }];
    // GitHub answers at once and delivers a moment later.
    setImmediate(() => void this.deliver(original.event, original.payload, attempt.guid, true));
    return [202, {}];
  }
}

const labeled = (number: number) => {
  const payload = examplePayload<IssuesLabeledEvent>("issues", "labeled");
  payload.label!.name = "ai:implement";
  payload.issue.number = number;
  return payload;
};
const chatter = (number: number) => {
  const payload = examplePayload<IssueCommentCreatedEvent>("issue_comment", "created");
  payload.issue.number = number;
  payload.comment.body = "Looks good to me";
  return payload;
};

describe("recovering webhook deliveries from GitHub's delivery log", () => {
  let app: TestApp;
  let github: FakeGitHub;
  let deliveries: DeliveryLog;
  const logged: string[] = [];
  const log = pino({ level: "info" }, { write: (line: string) => void logged.push(line) });
  const runsOn = (number: number) => app.database.store.listRuns({ repo: REPO, number });
  const recover = (options: Partial<RecoveryOptions> = {}) =>
    recoverDeliveries(
      { appClient: app.access.appClient, store: app.database.store, log, now: () => deliveries.now },
      { since: new Date(deliveries.now - 60 * MINUTE), graceMs: MINUTE, maxRedeliveries: 3, ...options },
    );

  beforeAll(async () => {
    app = await startTestApp({ implement: async () => ({ summary: "Done." }) });
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => {
    github = fakeGitHub();
    github.permissions.set("Codertocat", "write");
    deliveries = new DeliveryLog(app.webhookUrl);
    logged.length = 0;
  });
  afterEach(() => github.done());

  it("has GitHub resend what failed while the app was down, and only that", async () => {
    deliveries.appUp = false;
    const missed = await deliveries.deliver("issues", labeled(41)); // GitHub could not reach the app
    deliveries.appUp = true;
    const seen = await deliveries.deliver("issue_comment", chatter(42)); // reached the app, starts nothing
    const ran = await deliveries.deliver("issues", labeled(43)); // reached the app, queued a run
    deliveries.log({ guid: randomUUID(), event: "issues", action: "opened", status: "failed to connect", status_code: 502, redelivery: false });
    await eventually(async () => (await app.database.store.knownDeliveries([seen, ran])).size === 2);
    await eventually(async () => (await runsOn(43)).length === 1);

    deliveries.now += 2 * MINUTE;
    deliveries.appUp = false;
    const tooFresh = await deliveries.deliver("issues", labeled(44)); // within the grace period
    deliveries.appUp = true;

    const outcome = await recover();
    expect(outcome).toEqual({ scanned: 5, redelivered: [missed], givenUp: [] });
    expect(deliveries.redeliveryRequests).toHaveLength(1);
    expect(deliveries.redeliveryRequests[0]!.id).toBe(deliveries.attempts.find((a) => a.guid === missed)!.id);
    // The delivery log is the app's: read and redelivered with the app's JWT, not an installation token.
    expect(deliveries.redeliveryRequests[0]!.authorization).toMatch(/^bearer eyJ/);

    const run = await eventually(async () => (await runsOn(41))[0]);
    expect(run).toMatchObject({ task: "implement", trigger: "label", deliveryId: missed });
    expect(await runsOn(44)).toEqual([]);
    expect(tooFresh).not.toBe(missed);

    // The redelivery is recorded; the next pass finds nothing missing but the one still too fresh.
    await eventually(async () => (await app.database.store.knownDeliveries([missed])).size === 1);
    expect(await recover()).toMatchObject({ redelivered: [], givenUp: [] });
    deliveries.now += 2 * MINUTE;
    expect(await recover()).toMatchObject({ redelivered: [tooFresh] });
    await eventually(async () => (await runsOn(44)).length === 1);
    expect(await runsOn(41)).toHaveLength(1);
    expect(logged.join("\n")).toContain("webhook delivery never recorded; asked GitHub to send it again");
  });

  it("recovers a delivery the app acknowledged but was killed before writing", async () => {
    // A second web process on the same database, whose writes never land: killed mid-write.
    const port = await freePort();
    const config = loadConfig({ APP_ID: "9001", PRIVATE_KEY: generatePrivateKey(), WEBHOOK_SECRET, PORT: String(port), HOST: "127.0.0.1" });
    const doomed = new IntakeWriter({ enqueue: () => new Promise<void>(() => undefined), log });
    const server = await startWebServer(
      config,
      pino({ level: "silent" }),
      createApp({ store: app.database.store, role: "web", queueProcessing: () => null, intake: doomed, appId: 9001 }),
    );
    deliveries.url = `http://127.0.0.1:${port}/api/github/webhooks`;
    deliveries.now -= 5 * MINUTE;
    const guid = await deliveries.deliver("issues", labeled(45));
    expect(deliveries.attempts[0]).toMatchObject({ guid, status_code: 200, status: "OK" });
    await server.stop();
    expect(await app.database.store.knownDeliveries([guid])).toEqual(new Set());
    // The app is started again; GitHub's webhook reaches the new process.
    deliveries.url = app.webhookUrl;
    deliveries.now += 5 * MINUTE;

    expect(await recover()).toMatchObject({ redelivered: [guid] });
    expect(await eventually(async () => (await runsOn(45))[0])).toMatchObject({ deliveryId: guid });
  });

  it("asks for one delivery three times at most, then gives it up and says so", async () => {
    deliveries.appUp = false; // and it stays down: every redelivery fails too
    const guid = await deliveries.deliver("issues", labeled(46));
    for (let pass = 1; pass <= 3; pass++) {
      deliveries.now += 2 * MINUTE;
      expect(await recover()).toMatchObject({ redelivered: [guid], givenUp: [] });
      await eventually(async () => deliveries.attempts.filter((a) => a.guid === guid).length === pass + 1);
    }
    deliveries.now += 2 * MINUTE;
    expect(await recover()).toMatchObject({ redelivered: [], givenUp: [guid] });
    expect(deliveries.redeliveryRequests).toHaveLength(3);
    expect(logged.join("\n")).toContain("webhook deliveries still missing after being sent again; giving them up");
  });

  it("reads the log only back to where the window starts", async () => {
    const old = deliveries.now - 3 * 60 * MINUTE;
    for (let n = 0; n < 150; n++) {
      deliveries.log({ guid: randomUUID(), event: "push", action: null, status: "OK", status_code: 200, redelivery: false }, old + n);
    }
    for (let n = 0; n < 150; n++) {
      deliveries.log({ guid: randomUUID(), event: "issues", action: "opened", status: "OK", status_code: 200, redelivery: false });
    }
    // 150 in the window and 150 before it: two pages of 100 reach the window's start, the third is never read.
    const outcome = await recover({ since: new Date(deliveries.now - 60 * MINUTE) });
    expect(outcome).toEqual({ scanned: 150, redelivered: [], givenUp: [] });
    expect(deliveries.pagesRead).toHaveLength(2);
  });

  it("runs as a recurring job that reads the window once, then only what is new, and forgets old deliveries", async () => {
    for (let n = 0; n < 150; n++) {
      deliveries.log({ guid: randomUUID(), event: "push", action: null, status: "OK", status_code: 200, redelivery: false }, Date.now() - 3 * 60 * MINUTE);
    }
    const stale = randomUUID();
    await app.database.store.recordDeliveries([{ id: stale, event: "issues", receivedAt: new Date(Date.now() - 8 * 24 * 60 * MINUTE) }]);
    const queue = new JobQueue(app.database, { concurrency: 1, lockLifetimeMs: 60_000, pollMs: 50 });
    await queue.ready();
    await scheduleDeliveryRecovery(queue, { appClient: app.access.appClient, store: app.database.store, log }, { intervalMs: 300, windowHours: 6 });
    await queue.start();
    try {
      // The first pass reads both pages back to six hours ago; the next ones read back to just
      // before the pass before them, which the first page already passes.
      await eventually(async () => deliveries.pagesRead.length >= 4);
      expect(deliveries.pagesRead.slice(0, 4)).toEqual(["", "v1_" + String(deliveries.attempts[50]!.id), "", ""]);
      expect(await app.database.store.knownDeliveries([stale])).toEqual(new Set());
    } finally {
      await queue.drain(5_000);
    }
  });

  it("says what was wrong when the log does not look like GitHub's", async () => {
    nock.cleanAll();
    github = fakeGitHub();
    nock("https://api.github.com").get("/app/hook/deliveries").query(true).reply(200, { message: "Moved" });
    await expect(recover()).rejects.toThrow("GitHub's delivery log had an unexpected shape");
  });
});
