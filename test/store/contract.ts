import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobQueue } from "../../src/runs/queue.js";
import type { Database, DatabaseTarget } from "../../src/store/open.js";
import { DEFAULT_LIMITS } from "../../src/core/safe-json.js";
import { RunConflictError, runConnection } from "../../src/store/types.js";
import { type NewRun } from "../../src/core/run.js";
import type { TestDatabase } from "../helpers/databases.js";
import { runListingContract } from "./run-listing.js";
import { usageReadsContract } from "./usage-reads.js";
import { workerHeartbeatContract } from "./worker-heartbeats.js";
import { queueJobsContract } from "./queue-jobs.js";
import { runEventsContract } from "./run-events.js";
import { apiTokensContract } from "./api-tokens.js";
import { type WorkerEvent, type WorkerProcess, startWorker } from "../helpers/workers.js";

const newRun = (overrides: Partial<NewRun> = {}): NewRun => ({
  repo: "octo-org/hello-world",
  installationId: 42,
  number: 7,
  kind: "issue",
  task: "implement",
  trigger: "label",
  actor: "octocat",
  ...overrides,
});

/** The target a separate worker process uses to reach the same database as this test. */
function workerTarget(testDb: TestDatabase, database: Database): DatabaseTarget {
  if (testDb.target.kind !== "pglite") return testDb.target;
  // The embedded database lives in this process; workers reach it through its socket, which
  // carries no LISTEN/NOTIFY, and whose connection cap the pools must stay under.
  return { kind: "postgres", url: database.postgresUrl!, notifications: false, poolSize: 2 };
}

/** The one suite every storage backend must pass. */
export function storeContract(create: () => Promise<TestDatabase>): void {
  let testDb: TestDatabase;
  let database: Database;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    testDb = await create();
    database = await testDb.open();
  });

  afterAll(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill("SIGKILL");
    await database?.close();
    await testDb?.dispose();
  });

  describe("schema", () => {
    it("migrates again without error (idempotent start)", async () => {
      await database.store.migrate();
      await database.store.migrate();
      await expect(database.store.ping()).resolves.toBeUndefined();
    });
  });

  describe("runs", () => {
    it("creates a run as queued with empty steps, links and cost", async () => {
      const run = await database.store.createRun(newRun({ deliveryId: "d-1", input: "use the new API", workflow: "hotfix" }));
      expect(run).toMatchObject({
        repo: "octo-org/hello-world",
        installationId: 42,
        number: 7,
        status: "queued",
        steps: [],
        links: {},
        costMicros: 0,
        deliveryId: "d-1",
        input: "use the new API",
        workflow: "hotfix",
      });
      expect(run.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(run.createdAt).toBeInstanceOf(Date);
      expect(await database.store.getRun(run.id)).toEqual(run);
    });

    it("keeps the item's text as the trigger saw it", async () => {
      const snapshot = { title: "Fix the \u0000 parser", body: "Steps:\n1. run it", author: "octocat", at: "2026-11-01T10:00:00.000Z" };
      const run = await database.store.createRun(newRun({ number: 70, snapshot }));
      expect(run.snapshot).toEqual({ ...snapshot, title: "Fix the \\u0000 parser" });
      expect((await database.store.getRun(run.id))?.snapshot).toEqual(run.snapshot);
      expect((await database.store.createRun(newRun({ number: 71 }))).snapshot).toBeUndefined();
    });

    it("keeps the connection a run belongs to; a run stored without one reads as its installation's", async () => {
      const run = await database.store.createRun(newRun({ number: 72, connection: "github:42" }));
      expect(run.connection).toBe("github:42");
      expect((await database.store.getRun(run.id))?.connection).toBe("github:42");
      const other = await database.store.createRun(newRun({ number: 73, installationId: undefined, connection: "gitlab:acme" }));
      expect((await database.store.listRuns({ repo: other.repo, number: 73 }))[0]?.connection).toBe("gitlab:acme");
      // As a run written before runs had a connection: none stored, the installation stands for it.
      const older = await database.store.getRun((await database.store.createRun(newRun({ number: 74 }))).id);
      expect(older?.connection).toBeUndefined();
      expect(runConnection(older!)).toBe("github:42");
      await expect(database.store.createRun(newRun({ number: 75, connection: "no connection" }))).rejects.toThrow(/connection/);
    });

    it("updates status, steps, links, cost and timestamps, and clears an error", async () => {
      const run = await database.store.createRun(newRun({ number: 8 }));
      const startedAt = new Date("2026-11-01T10:00:00Z");
      const updated = await database.store.updateRun(run.id, {
        status: "running",
        startedAt,
        steps: [{ id: "plan", status: "succeeded", attempts: 1, startedAt, outputs: { summary: "ok" } }],
        links: { trackingComment: "https://github.com/octo-org/hello-world/issues/8#issuecomment-1" },
        costMicros: 1_234_567,
        error: "transient",
      });
      expect(updated).toMatchObject({ status: "running", costMicros: 1_234_567, error: "transient" });
      expect(updated!.startedAt!.toISOString()).toBe(startedAt.toISOString());
      expect(updated!.updatedAt.getTime()).toBeGreaterThanOrEqual(run.updatedAt.getTime());

      const reread = await database.store.getRun(run.id);
      expect(reread!.steps).toEqual([{ id: "plan", status: "succeeded", attempts: 1, startedAt, outputs: { summary: "ok" } }]);
      expect(reread!.links.trackingComment).toContain("issuecomment-1");

      const cleared = await database.store.updateRun(run.id, { status: "succeeded", error: null, finishedAt: new Date() });
      expect(cleared!.error).toBeUndefined();
      expect(cleared!.status).toBe("succeeded");
    });

    it("stores any text: NUL escaped, lone surrogates replaced, megabytes bounded, the same on every backend", async () => {
      // PostgreSQL refuses U+0000 in text and jsonb, and lone surrogates in jsonb; a run must not fail on them.
      const nasty = "out\0put \uD83D half a pair, \uDE00 the other half, 😀 whole";
      const repaired = "out\\u0000put \uFFFD half a pair, \uFFFD the other half, 😀 whole";
      const run = await database.store.createRun(newRun({ number: 11, input: `asked\0${"\uD800"}` }));
      expect(run.input).toBe("asked\\u0000\uFFFD");
      const huge = `${"a".repeat(5 * 1024 * 1024)}END`;
      const updated = await database.store.updateRun(run.id, {
        steps: [{ id: "shell", name: `step\0`, status: "succeeded", attempts: 1, outputs: { stdout: nasty, "key\0": [nasty], huge } }],
        links: { trackingComment: `https://example.com/c/1\0` },
        error: nasty,
      });
      const reread = await database.store.getRun(run.id);
      for (const stored of [updated!, reread!]) {
        expect(stored.error).toBe(repaired);
        expect(stored.links.trackingComment).toBe("https://example.com/c/1\\u0000");
        const [step] = stored.steps;
        expect(step).toMatchObject({ name: "step\\u0000", outputs: { stdout: repaired, "key\\u0000": [repaired] } });
        const kept = String(step!.outputs!.huge);
        expect(kept.length).toBeLessThanOrEqual(DEFAULT_LIMITS.maxString);
        expect(kept.startsWith("aaa")).toBe(true);
        expect(kept.endsWith("END")).toBe(true);
        expect(kept).toMatch(/… \(\d+ characters cut\) …/);
      }
    });

    it("merges links: writers of different links keep each other's", async () => {
      const run = await database.store.createRun(newRun({ number: 9 }));
      await database.store.updateRun(run.id, { links: { trackingComment: "https://example.com/c/1" } });
      await database.store.updateRun(run.id, { links: { slackTs: "1700000000.000100" } });
      const both = await database.store.updateRun(run.id, { links: { trackingComment: "https://example.com/c/2" } });
      expect(both!.links).toEqual({ trackingComment: "https://example.com/c/2", slackTs: "1700000000.000100" });
    });

    it("changes a run only while it has the status asked for", async () => {
      const run = await database.store.createRun(newRun({ number: 10, task: "review" }));
      const moved = await database.store.updateRun(run.id, { headSha: "b".repeat(40) }, { ifStatus: "queued" });
      expect(moved).toMatchObject({ status: "queued", headSha: "b".repeat(40) });
      await database.store.updateRun(run.id, { status: "running", startedAt: new Date() });
      expect(await database.store.updateRun(run.id, { headSha: "c".repeat(40) }, { ifStatus: "queued" })).toBeNull();
      expect((await database.store.getRun(run.id))!.headSha).toBe("b".repeat(40));
    });

    it("lists runs newest first, filtered by repository, number and status", async () => {
      // "Newest" is by creation time, which MongoDB keeps to the millisecond: space the inserts out.
      const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
      const a = await database.store.createRun(newRun({ repo: "octo-org/listing", number: 1 }));
      await tick();
      const b = await database.store.createRun(newRun({ repo: "octo-org/listing", number: 1, task: "plan" }));
      await tick();
      const c = await database.store.createRun(newRun({ repo: "octo-org/listing", number: 2 }));
      await database.store.updateRun(a.id, { status: "failed" });

      const forOne = await database.store.listRuns({ repo: "octo-org/listing", number: 1 });
      expect(forOne.map((r) => r.id)).toEqual([b.id, a.id]);
      const active = await database.store.listRuns({ repo: "octo-org/listing", statuses: ["queued", "running"] });
      expect(active.map((r) => r.id).sort()).toEqual([b.id, c.id].sort());
      expect(await database.store.listRuns({ repo: "octo-org/listing", limit: 1 })).toHaveLength(1);
    });

    it("counts the queued and the running runs", async () => {
      const before = await database.store.countActiveRuns();
      const a = await database.store.createRun(newRun({ repo: "octo-org/counted", number: 1 }));
      await database.store.createRun(newRun({ repo: "octo-org/counted", number: 2 }));
      const c = await database.store.createRun(newRun({ repo: "octo-org/counted", number: 3 }));
      await database.store.updateRun(a.id, { status: "running" });
      await database.store.updateRun(c.id, { status: "succeeded" });
      expect(await database.store.countActiveRuns()).toEqual({ queued: before.queued + 1, running: before.running + 1 });
    });

    it("keeps at most one queued and one running run per task on an issue or pull request", async () => {
      const target = { repo: "octo-org/guard", number: 3, kind: "pull_request" as const, task: "review" as const, trigger: "pull_request" as const };
      const first = await database.store.createRun(newRun({ ...target, headSha: "aaa" }));
      await expect(database.store.createRun(newRun({ ...target, headSha: "bbb" }))).rejects.toBeInstanceOf(RunConflictError);
      await database.store.updateRun(first.id, { status: "running" });
      const pending = await database.store.createRun(newRun({ ...target, headSha: "bbb" }));
      await expect(database.store.updateRun(pending.id, { status: "running" })).rejects.toBeInstanceOf(RunConflictError);
      const newest = await database.store.updateRun(pending.id, { headSha: "ccc", stopRequestedBy: "hubot" });
      expect(newest).toMatchObject({ status: "queued", headSha: "ccc", stopRequestedBy: "hubot" });
      await database.store.updateRun(first.id, { status: "succeeded" });
      expect((await database.store.updateRun(pending.id, { status: "running" }))!.status).toBe("running");
      // Another task on the same pull request is not held back.
      await expect(database.store.createRun(newRun({ ...target, task: "ask" }))).resolves.toMatchObject({ task: "ask" });
    });

    it("answers null for unknown and malformed ids", async () => {
      expect(await database.store.getRun("00000000-0000-4000-8000-000000000000")).toBeNull();
      expect(await database.store.getRun("not-a-run-id")).toBeNull();
      expect(await database.store.updateRun("not-a-run-id", { status: "failed" })).toBeNull();
    });

    it("rejects a malformed run before it reaches the database", async () => {
      await expect(database.store.createRun(newRun({ repo: "no slash" }))).rejects.toThrow(/owner\/name/);
    });
  });

  describe("deliveries", () => {
    it("lets exactly one of 50 concurrent inserts of one delivery id win", async () => {
      const id = `delivery-${Date.now()}`;
      const results = await Promise.all(
        Array.from({ length: 50 }, () => database.store.recordDeliveries([{ id, event: "issues", action: "labeled" }])),
      );
      expect(results.reduce((a, b) => a + b, 0)).toBe(1);
      expect(await database.store.recordDeliveries([{ id, event: "issues" }])).toBe(0);
      expect(await database.store.recordDeliveries([{ id: `${id}-other`, event: "issues" }])).toBe(1);
    });

    it("records a batch with repeats and known ids, tells which ids it knows, and forgets old ones", async () => {
      const stamp = Date.now();
      const [a, b, c, old] = ["a", "b", "c", "old"].map((k) => `batch-${stamp}-${k}`) as [string, string, string, string];
      expect(await database.store.recordDeliveries([{ id: a, event: "issue_comment", action: "created", repo: "octo-org/hello-world" }])).toBe(1);
      const batch = [a, b, b, c].map((id) => ({ id, event: "pull_request", action: "synchronize" }));
      expect(await database.store.recordDeliveries(batch)).toBe(2);
      expect(await database.store.recordDeliveries([])).toBe(0);
      expect(await database.store.recordDeliveries([{ id: old, event: "issues", receivedAt: new Date(stamp - 86_400_000) }])).toBe(1);
      expect(await database.store.knownDeliveries([a, b, c, old, `batch-${stamp}-never`])).toEqual(new Set([a, b, c, old]));
      expect(await database.store.knownDeliveries([])).toEqual(new Set());
      expect(await database.store.forgetDeliveries(new Date(stamp - 3_600_000))).toBeGreaterThanOrEqual(1);
      expect(await database.store.knownDeliveries([a, old])).toEqual(new Set([a]));
    });
  });

  describe("notices", () => {
    it("claims a notice once only", async () => {
      const key = `refusal:octo-org/hello-world#7:stranger:${Date.now()}`;
      const claims = await Promise.all(Array.from({ length: 10 }, () => database.store.claimNotice(key)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await database.store.claimNotice(`${key}:other`)).toBe(true);
    });
  });

  runListingContract(() => database.store);
  usageReadsContract(() => database.store);
  workerHeartbeatContract(() => database.store);
  queueJobsContract(() => database);
  runEventsContract(() => database.store);
  apiTokensContract(() => database.store);

  describe("usage", () => {
    it("sums usage by repository and calendar month", async () => {
      const entry = { model: "claude-sonnet-5-5", inputTokens: 1000, outputTokens: 200, cacheWriteTokens: 50, cacheReadTokens: 400, costMicros: 12_345 };
      await database.store.addUsage({ ...entry, repo: "octo-org/usage", at: new Date("2026-10-31T23:59:59Z") });
      await database.store.addUsage({ ...entry, repo: "octo-org/usage", at: new Date("2026-11-01T00:00:00Z") });
      await database.store.addUsage({ ...entry, repo: "octo-org/usage", at: new Date("2026-11-30T12:00:00Z"), costMicros: 1 });
      await database.store.addUsage({ ...entry, repo: "octo-org/other", at: new Date("2026-11-15T00:00:00Z") });

      expect(await database.store.usageForMonth("octo-org/usage", "2026-11")).toEqual({
        inputTokens: 2000,
        outputTokens: 400,
        cacheWriteTokens: 100,
        cacheReadTokens: 800,
        costMicros: 12_346,
        entries: 2,
      });
      expect((await database.store.usageForMonth("octo-org/usage", "2026-10")).costMicros).toBe(12_345);
      expect(await database.store.usageForMonth("octo-org/usage", "2026-12")).toEqual({
        inputTokens: 0, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0, costMicros: 0, entries: 0,
      });
    });

    it("rejects negative or fractional token counts", async () => {
      await expect(
        database.store.addUsage({ repo: "octo-org/usage", model: "m", inputTokens: -1, outputTokens: 0, costMicros: 0 }),
      ).rejects.toThrow();
      await expect(
        database.store.addUsage({ repo: "octo-org/usage", model: "m", inputTokens: 1.5, outputTokens: 0, costMicros: 0 }),
      ).rejects.toThrow();
    });
  });

  describe("budget counters", () => {
    const usd = (dollars: number) => Math.round(dollars * 1_000_000);

    it("lets at most three of eight concurrent $0.30 reservations under a $1.00 limit through, and settles them", async () => {
      const key = "run:parallel";
      const results = await Promise.all(
        Array.from({ length: 8 }, () => database.store.reserveBudget([{ key, limitMicros: usd(1), amountMicros: usd(0.3) }])),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(3);
      for (const refused of results.filter((r) => !r.ok)) expect(refused).toEqual({ ok: false, key, spentMicros: 0, reservedMicros: usd(0.9) });
      expect((await database.store.budgetCounters([key])).get(key)).toEqual({ spentMicros: 0, reservedMicros: usd(0.9), limitMicros: usd(1) });

      // Each call cost less than its worst case: settled, the difference is free again.
      for (let i = 0; i < 3; i++) await database.store.settleBudget([key], usd(0.3), usd(0.25));
      expect((await database.store.budgetCounters([key])).get(key)).toEqual({ spentMicros: usd(0.75), reservedMicros: 0, limitMicros: usd(1) });
      expect(await database.store.reserveBudget([{ key, limitMicros: usd(1), amountMicros: usd(0.3) }])).toMatchObject({ ok: false, spentMicros: usd(0.75) });
      // Up to the limit exactly; a failed call releases its whole reservation.
      expect(await database.store.reserveBudget([{ key, limitMicros: usd(1), amountMicros: usd(0.25) }])).toEqual({ ok: true });
      await database.store.settleBudget([key], usd(0.25), 0);
      expect((await database.store.budgetCounters([key, "run:never"]))).toEqual(new Map([[key, { spentMicros: usd(0.75), reservedMicros: 0, limitMicros: usd(1) }]]));
    });

    it("remembers the limit of the latest reservation, so a changed budget shows as it now stands", async () => {
      const key = "repo:octo-org/raised:2026-11";
      expect(await database.store.reserveBudget([{ key, limitMicros: usd(1), amountMicros: usd(0.1) }])).toEqual({ ok: true });
      expect(await database.store.reserveBudget([{ key, limitMicros: usd(3), amountMicros: usd(0.1) }])).toEqual({ ok: true });
      expect((await database.store.budgetCounters([key])).get(key)?.limitMicros).toBe(usd(3));
    });

    it("starts a counter at the ledger's spend so far, once", async () => {
      const key = "repo:octo-org/seeded:2026-11";
      expect(await database.store.reserveBudget([{ key, limitMicros: usd(1), amountMicros: usd(0.5), initialMicros: usd(0.6) }])).toMatchObject({ ok: false, spentMicros: usd(0.6) });
      expect(await database.store.reserveBudget([{ key, limitMicros: usd(1), amountMicros: usd(0.3), initialMicros: usd(0.6) }])).toEqual({ ok: true });
      // The counter exists now: a later seed (the ledger read again) changes nothing.
      expect(await database.store.reserveBudget([{ key, limitMicros: usd(1), amountMicros: usd(0.1), initialMicros: 0 }])).toEqual({ ok: true });
      expect((await database.store.budgetCounters([key])).get(key)).toEqual({ spentMicros: usd(0.6), reservedMicros: usd(0.4), limitMicros: usd(1) });
    });

    it("holds a repository's monthly budget across runs, all or nothing over a call's counters", async () => {
      const repoKey = "repo:octo-org/two-runs:2026-11";
      const scopes = (run: string, amount: number) => [
        { key: `run:${run}`, limitMicros: usd(5), amountMicros: usd(amount) },
        { key: repoKey, limitMicros: usd(1), amountMicros: usd(amount) },
      ];
      expect(await database.store.reserveBudget(scopes("first", 0.6))).toEqual({ ok: true });
      expect(await database.store.reserveBudget(scopes("second", 0.6))).toEqual({ ok: false, key: repoKey, spentMicros: 0, reservedMicros: usd(0.6) });
      // The second run's own counter kept nothing of the refused reservation.
      expect((await database.store.budgetCounters(["run:second"])).get("run:second")?.reservedMicros ?? 0).toBe(0);
      await database.store.settleBudget(["run:first", repoKey], usd(0.6), usd(0.1));
      expect(await database.store.reserveBudget(scopes("second", 0.6))).toEqual({ ok: true });
      expect(await database.store.budgetCounters(["run:first", "run:second", repoKey])).toEqual(
        new Map([
          ["run:first", { spentMicros: usd(0.1), reservedMicros: 0, limitMicros: usd(5) }],
          ["run:second", { spentMicros: 0, reservedMicros: usd(0.6), limitMicros: usd(5) }],
          [repoKey, { spentMicros: usd(0.1), reservedMicros: usd(0.6), limitMicros: usd(1) }],
        ]),
      );
    });

    it("sums an installation's usage over its repositories", async () => {
      const entry = { model: "claude-sonnet-5-5", inputTokens: 10, outputTokens: 1, at: new Date("2026-11-15T00:00:00Z") };
      await database.store.addUsage({ ...entry, repo: "octo-org/a", installationId: 77, costMicros: 100 });
      await database.store.addUsage({ ...entry, repo: "octo-org/b", installationId: 77, costMicros: 20 });
      await database.store.addUsage({ ...entry, repo: "octo-org/a", installationId: 78, costMicros: 3 });
      expect((await database.store.usageForMonth({ installationId: 77 }, "2026-11")).costMicros).toBe(120);
      expect((await database.store.usageForMonth("octo-org/a", "2026-11")).costMicros).toBe(103);
    });

    it("counts at most the limit of concurrent claims on a trigger window", async () => {
      const expiresAt = new Date(Date.now() + 3_600_000);
      const claims = await Promise.all(Array.from({ length: 10 }, () => database.store.claimRate("trigger:octo-org/r:octocat:1", 3, expiresAt)));
      expect(claims.filter((c) => c.allowed).map((c) => c.count).sort()).toEqual([1, 2, 3]);
      expect(claims.filter((c) => !c.allowed)).toEqual(Array.from({ length: 7 }, () => ({ allowed: false, count: 3 })));
      expect(await database.store.claimRate("trigger:octo-org/r:hubot:1", 3, expiresAt)).toEqual({ allowed: true, count: 1 });
    });
  });

  describe("queue across worker processes", () => {
    const spawnWorker = (name: string, env: Record<string, string> = {}) => {
      const worker = startWorker(name, workerTarget(testDb, database), env);
      workers.push(worker);
      return worker;
    };
    const enqueue = async (jobs: { key: string; ms: number }[], name = "contract-job") => {
      const queue = new JobQueue(database, { concurrency: 1, lockLifetimeMs: 60_000 });
      await queue.ready();
      for (const job of jobs) await queue.enqueue(name, job);
    };
    /** The first event of these workers that matches, once one does. */
    const until = async (pool: WorkerProcess[], predicate: (event: WorkerEvent) => boolean, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = pool.flatMap((w) => w.events).find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching worker event in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    it("queues a job once per key, whoever races", async () => {
      const queue = new JobQueue(database, { concurrency: 1, lockLifetimeMs: 60_000 });
      await queue.ready();
      const data = { key: "once", ms: 0 };
      const results = await Promise.all(Array.from({ length: 20 }, () => queue.enqueueOnce("contract-once", data, "delivery-1")));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await queue.enqueueOnce("contract-once", data, "delivery-2")).toBe(true);
      expect(await queue.enqueueOnce("another-job", data, "delivery-1")).toBe(true);
    });

    it("processes 300 jobs with three workers: none lost, none run twice", async () => {
      const keys = Array.from({ length: 300 }, (_, i) => `job-${i}`);
      const pool = [spawnWorker("w1"), spawnWorker("w2"), spawnWorker("w3")];
      await Promise.all(pool.map((w) => w.waitFor((e) => e.event === "ready")));
      await enqueue(keys.map((key) => ({ key, ms: 5 })));

      const finished = () => pool.flatMap((w) => w.events.filter((e) => e.event === "done"));
      const deadline = Date.now() + 90_000;
      while (finished().length < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      // A moment more, so a job run twice would have time to show up.
      await new Promise((r) => setTimeout(r, 500));

      const starts = pool.flatMap((w) => w.events.filter((e) => e.event === "start").map((e) => e.key));
      expect(new Set(starts).size).toBe(300);
      expect(starts).toHaveLength(300);
      expect(new Set(finished().map((e) => e.key))).toEqual(new Set(keys));
      expect(pool.filter((w) => w.events.some((e) => e.event === "start")).length).toBeGreaterThanOrEqual(2);

      for (const w of pool) w.child.kill("SIGTERM");
      expect(await Promise.all(pool.map((w) => w.exited))).toEqual([0, 0, 0]);
    }, 120_000);

    it("on SIGTERM lets a running job finish, then exits 0", async () => {
      const worker = spawnWorker("drainer");
      await worker.waitFor((e) => e.event === "ready");
      await enqueue([{ key: "drain-me", ms: 1500 }]);
      await worker.waitFor((e) => e.event === "start" && e.key === "drain-me");
      worker.child.kill("SIGTERM");
      expect(await worker.exited).toBe(0);
      expect(worker.events.some((e) => e.event === "done" && e.key === "drain-me")).toBe(true);
    });

    it("exits 0 at the drain timeout, and another worker takes the job once its lock expires", async () => {
      const lock = { WORKER_LOCK_MS: "2000" };
      const first = spawnWorker("impatient", { ...lock, WORKER_SHUTDOWN_MS: "300" });
      await first.waitFor((e) => e.event === "ready");
      await enqueue([{ key: "outlives-drain", ms: 4000 }]);
      await first.waitFor((e) => e.event === "start" && e.key === "outlives-drain");
      first.child.kill("SIGTERM");
      expect(await first.exited).toBe(0);
      expect(first.events.some((e) => e.event === "done")).toBe(false);

      const second = spawnWorker("successor", lock);
      await second.waitFor((e) => e.event === "done" && e.key === "outlives-drain", 20_000);
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    }, 40_000);

    it("hands a job cut off by a hard kill to another worker once its lock expires", async () => {
      const lock = { WORKER_LOCK_MS: "2000" };
      const victim = spawnWorker("victim", lock);
      await victim.waitFor((e) => e.event === "ready");
      await enqueue([{ key: "killed-mid-run", ms: 1000 }]);
      await victim.waitFor((e) => e.event === "start" && e.key === "killed-mid-run");
      victim.child.kill("SIGKILL");
      await victim.exited;

      const rescuer = spawnWorker("rescuer", lock);
      const done = await rescuer.waitFor((e) => e.event === "done" && e.key === "killed-mid-run", 20_000);
      expect(done.worker).toBe("rescuer");
      rescuer.child.kill("SIGTERM");
      expect(await rescuer.exited).toBe(0);
    }, 40_000);

    it("on SIGTERM hands back the jobs it locked but had not started, and the next worker takes them at once", async () => {
      // A 10-minute lock lifetime: a takeover within seconds can only come from the release.
      const lock = { WORKER_LOCK_MS: "600000" };
      const keys = Array.from({ length: 10 }, (_, i) => `handed-back-${i}`);
      // Ten quick jobs queued before the worker starts: its first poll locks all ten and starts the
      // eight its quick slots hold; two wait, locked, for a slot.
      await enqueue(keys.map((key) => ({ key, ms: 3000 })), "contract-quick");
      const first = spawnWorker("hander", lock);
      const starts = (w: WorkerProcess) => w.events.filter((e) => e.event === "start").map((e) => e.key!);
      await until([first], () => starts(first).length >= 8, 20_000);
      await new Promise((r) => setTimeout(r, 300));
      const waiting = keys.filter((key) => !starts(first).includes(key));
      expect(waiting).toHaveLength(2);

      const sigterm = Date.now();
      first.child.kill("SIGTERM");
      const second = spawnWorker("taker", lock);
      for (const key of waiting) await second.waitFor((e) => e.event === "start" && e.key === key, 10_000);
      const tookMs = Date.now() - sigterm;
      console.log(`jobs locked but not started, taken by the next worker ${tookMs} ms after SIGTERM (lock lifetime 600000 ms, including the new worker's start-up)`);
      expect(tookMs).toBeLessThan(10_000);

      expect(await first.exited).toBe(0);
      const release = first.events.find((e) => e.event === "info" && e.message?.includes("released at shutdown"));
      const released = (release?.detail as { released?: { name: string }[] } | undefined)?.released ?? [];
      expect(released.map((job) => job.name)).toEqual(["contract-quick", "contract-quick"]);
      // The eight running ones finished on the first worker; none ran twice.
      expect(first.events.filter((e) => e.event === "done")).toHaveLength(8);
      await until([second], () => second.events.filter((e) => e.event === "done").length === 2, 10_000);
      expect([...starts(first), ...starts(second)].sort()).toEqual([...keys].sort());
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    }, 60_000);

    it("renews a running job's lock, so a run of four lock lifetimes runs once; after a SIGKILL another worker takes it within a lifetime", async () => {
      const lockMs = 2000;
      const lock = { WORKER_LOCK_MS: String(lockMs) };
      const pool = [spawnWorker("keeper-a", lock), spawnWorker("keeper-b", lock)];
      await Promise.all(pool.map((w) => w.waitFor((e) => e.event === "ready")));

      await enqueue([{ key: "long-run", ms: 4 * lockMs }]);
      await until(pool, (e) => e.event === "done" && e.key === "long-run", 30_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(pool.flatMap((w) => w.events).filter((e) => e.event === "start" && e.key === "long-run")).toHaveLength(1);

      await enqueue([{ key: "killed-long-run", ms: 4 * lockMs }]);
      const started = await until(pool, (e) => e.event === "start" && e.key === "killed-long-run", 10_000);
      await new Promise((r) => setTimeout(r, 1500));
      const owner = pool.find((w) => w.name === started.worker)!;
      const other = pool.find((w) => w !== owner)!;
      const killedAt = Date.now();
      owner.child.kill("SIGKILL");
      await other.waitFor((e) => e.event === "start" && e.key === "killed-long-run", 20_000);
      const tookMs = Date.now() - killedAt;
      console.log(`takeover after a killed worker: ${tookMs} ms (lock lifetime ${lockMs} ms, poll 100 ms)`);
      expect(tookMs).toBeLessThan(lockMs + 1500);
      other.child.kill("SIGKILL");
      await Promise.all(pool.map((w) => w.exited));
    }, 60_000);
  });
}
