import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REDACTED, registerSecret } from "../../src/core/redactor.js";
import { FAIL_REASON_LIMIT, queueOverview } from "../../src/runs/queue-overview.js";
import { JobQueue } from "../../src/runs/queue.js";
import { retryFailedJob } from "../../src/runs/retry-job.js";
import { WorkerHeartbeats } from "../../src/runs/worker-heartbeat.js";
import type { Database } from "../../src/store/open.js";
import { type TestDatabase, freshPglite, freshPostgres } from "../helpers/databases.js";

/**
 * The queue page's figures from a real queue on PostgreSQL and on embedded PGlite: a job that fails
 * with a secret in its error is listed with the secret gone, a retry runs it once more however
 * often it is asked, workers' heartbeats come and go, and runs' pickup is summed.
 */

// What a worker's installation token looks like; registered as the app registers every token it is handed.
const TOKEN = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
registerSecret(TOKEN);

describe.each([
  ["PostgreSQL", freshPostgres],
  ["PGlite", freshPglite],
])("queue overview on %s", (_name, fresh) => {
  let testDb: TestDatabase;
  let database: Database;
  let queue: JobQueue;
  const attempts: number[] = [];
  const heartbeats: WorkerHeartbeats[] = [];

  const until = async <T>(read: () => Promise<T | undefined | false>, what: string): Promise<T> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const value = await read();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const overview = () => queueOverview({ store: database.store, jobs: database.queueJobs, heartbeatMs: 100 }, { all: true });
  const failedJob = (id: string, failCount: number) =>
    until(async () => (await overview()).failed.find((job) => job.id === id && job.failCount === failCount && job.retryable), `job ${id} to fail ${failCount} time(s)`);

  beforeAll(async () => {
    testDb = await fresh();
    database = await testDb.open();
    queue = new JobQueue(database, { concurrency: 2, lockLifetimeMs: 60_000, pollMs: 50 });
    await queue.ready();
    queue.define<{ runId?: string }>("fails-with-a-token", async () => {
      attempts.push(attempts.length + 1);
      // As an error from git or an HTTP client may quote the address it was given.
      throw new Error(`attempt ${attempts.length}: git fetch https://x-access-token:${TOKEN}@github.com/acme/widgets.git failed with token ${TOKEN}`);
    });
    await queue.start();
  });

  afterAll(async () => {
    for (const heartbeat of heartbeats) await heartbeat.stop();
    await queue?.drain(5_000);
    await database?.close();
    await testDb?.dispose();
  });

  it("lists a failed job with its reason redacted when it failed, in the worker, and bounded", async () => {
    const id = await queue.enqueue("fails-with-a-token", {});
    const job = await failedJob(id, 1);
    expect(job.name).toBe("fails-with-a-token");
    expect(job.failReason).toContain("attempt 1: git fetch https://");
    expect(job.failReason).toContain(REDACTED);
    expect(job.failReason).not.toContain(TOKEN);
    // Redacted before Agenda stored it: the row itself has no token, for any reader of the table.
    const stored = await database.queueJobs.job(id);
    expect(stored?.failReason).not.toContain(TOKEN);
    expect(stored?.failReason).toContain(REDACTED);
  });

  it("redacts and bounds a reason stored by another process, which this one shows", async () => {
    const id = await queue.enqueue("fails-with-a-token", {});
    await failedJob(id, 1);
    // As a worker of another version, or one that threw a non-Error, may have left it.
    const raw = `token ${TOKEN} at https://user:hunter2hunter2@example.com/x ${"x".repeat(2000)} end`;
    const client = new pg.Client({ connectionString: database.postgresUrl });
    await client.connect();
    await client.query(`UPDATE agenda_jobs SET fail_reason = $2 WHERE id = $1::uuid`, [id, raw]);
    await client.end();
    const job = (await overview()).failed.find((failed) => failed.id === id)!;
    expect(job.failReason).not.toContain(TOKEN);
    expect(job.failReason).not.toContain("hunter2hunter2");
    expect(job.failReason.length).toBeLessThanOrEqual(FAIL_REASON_LIMIT);
    expect(job.failReason).toMatch(/^token \[redacted\] at https:\/\/\[redacted\]@example\.com/);
    expect(job.failReason).toMatch(/ end$/);
  });

  it("retries a failed job: the handler sees a second attempt, and a second retry of that failure runs nothing", async () => {
    attempts.length = 0;
    const id = await queue.enqueue("fails-with-a-token", {});
    const failed = await failedJob(id, 1);
    const record = (await database.queueJobs.job(id))!;
    const [first, second] = await Promise.all([
      retryFailedJob(database.queueJobs, record, { by: "dashboard:monalisa", failCount: failed.failCount }),
      retryFailedJob(database.queueJobs, record, { by: "dashboard:monalisa", failCount: failed.failCount }),
    ]);
    expect([first.result, second.result].sort()).toEqual(["not_failed", "retried"]);
    await failedJob(id, 2);
    expect(attempts).toEqual([1, 2]);
    // The double click's second request, after the job ran again: it names the failure it saw.
    const late = await retryFailedJob(database.queueJobs, (await database.queueJobs.job(id))!, { by: "dashboard:monalisa", failCount: 1 });
    expect(late.result).toBe("not_failed");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(attempts).toEqual([1, 2]);
  });

  it("refuses to re-run the job of a run that has finished, and says how to ask for another", async () => {
    const run = await database.store.createRun({ repo: "acme/widgets", number: 3, kind: "issue", task: "implement", trigger: "label", actor: "octocat", installationId: 1 });
    await database.store.updateRun(run.id, { status: "failed", finishedAt: new Date() });
    // A `run` job this process does not take, failed as a worker would have left it.
    const id = await queue.enqueue("run", { runId: run.id });
    const client = new pg.Client({ connectionString: database.postgresUrl });
    await client.connect();
    await client.query(`UPDATE agenda_jobs SET next_run_at = NULL, failed_at = now(), last_finished_at = now(), fail_count = 1, fail_reason = 'could not post' WHERE id = $1::uuid`, [id]);
    await client.end();
    const outcome = await retryFailedJob(database.queueJobs, (await database.queueJobs.job(id))!, { by: "dashboard:monalisa" });
    expect(outcome).toMatchObject({ result: "run_finished" });
    expect((outcome as { message: string }).message).toContain("ask for a new run on GitHub");
    expect((await database.queueJobs.job(id))?.nextRunAt).toBeNull();
  });

  it("shows two workers' heartbeats; one stopped is removed, one silent for three beats is gone", async () => {
    const running = { a: 2, b: 0 };
    const a = new WorkerHeartbeats(database.store, { role: "worker", version: "0.1.0", concurrency: 5, name: "worker-a" }, () => running.a, { intervalMs: 100 });
    const b = new WorkerHeartbeats(database.store, { role: "all", version: "0.1.0", concurrency: 3, name: "worker-b" }, () => running.b, { intervalMs: 100 });
    heartbeats.push(a, b);
    a.start();
    b.start();
    const both = await until(async () => {
      const workers = (await overview()).workers;
      return workers.length === 2 && workers.every((w) => w.alive) ? workers : undefined;
    }, "both workers");
    expect(both.map((w) => [w.name, w.role, w.concurrency, w.jobsRunning, w.pid])).toEqual([
      ["worker-a", "worker", 5, 2, process.pid],
      ["worker-b", "all", 3, 0, process.pid],
    ]);
    await b.stop();
    expect((await overview()).workers.map((w) => w.name)).toEqual(["worker-a"]);

    // A worker killed mid-beat: its record stays, and its silence passes three beats.
    await database.store.recordWorker({ id: "killed", name: "worker-killed", role: "worker", pid: 1, host: "elsewhere", version: "0.1.0", concurrency: 1, startedAt: new Date(), jobsRunning: 1 });
    const gone = await until(async () => (await overview()).workers.find((w) => w.id === "killed" && !w.alive), "the killed worker to be gone");
    expect(gone.silentMs).toBeGreaterThanOrEqual(300);
    expect((await overview()).workers.find((w) => w.name === "worker-a")?.alive).toBe(true);
  });

  it("sums depth and pickup across names and windows", async () => {
    await queue.enqueue("nobody-takes-this", {});
    await queue.enqueueIn(3_600_000, "nobody-takes-this", {});
    const run = await database.store.createRun({ repo: "acme/widgets", number: 9, kind: "issue", task: "implement", trigger: "label", actor: "octocat" });
    await database.store.updateRun(run.id, { status: "running", startedAt: new Date(run.createdAt.getTime() + 1500) });
    const figures = await overview();
    expect(figures.depth).toMatchObject({ due: 1, scheduled: 1, locked: 0 });
    expect(figures.depth.oldestDueMs).toBeGreaterThanOrEqual(0);
    expect(figures.runs).toEqual({ queued: 0, running: 1 });
    expect(figures.pickup.lastHour).toEqual({ runs: 1, p50Ms: 1500, p95Ms: 1500, maxMs: 1500 });
    expect(figures.pickup.lastDay).toEqual(figures.pickup.lastHour);
  });
});
