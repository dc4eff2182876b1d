import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobQueue } from "../../src/runs/queue.js";
import type { Database } from "../../src/store/open.js";
import { eventually } from "../helpers/app-server.js";
import { type TestDatabase, freshPostgres } from "../helpers/databases.js";

describe("the queue's wake-up connection on PostgreSQL", () => {
  let scratch: TestDatabase;
  let database: Database;
  let admin: pg.Client;

  beforeAll(async () => {
    scratch = await freshPostgres();
    database = await scratch.open();
    if (scratch.target.kind !== "postgres") throw new Error("expected PostgreSQL");
    admin = new pg.Client({ connectionString: scratch.target.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await database.close();
    await scratch.dispose();
  });

  it("survives its LISTEN connection being killed, says so, and wakes workers again", async () => {
    const warnings: string[] = [];
    const log = pino({ level: "warn" }, { write: (line: string) => void warnings.push(line) });
    // Polling only once a minute: a job that runs at once was woken by a NOTIFY.
    const queue = new JobQueue(database, { concurrency: 1, lockLifetimeMs: 60_000, pollMs: 60_000, log });
    const ran: string[] = [];
    queue.define<{ n: string }>("wake-up-test", async ({ n }) => void ran.push(n));
    await queue.ready();
    await queue.start();
    try {
      await queue.enqueue("wake-up-test", { n: "before" });
      await eventually(async () => ran.includes("before"), 5_000);

      const { rows } = await admin.query<{ pid: number }>(
        `SELECT pg_terminate_backend(pid), pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'`,
      );
      expect(rows).toHaveLength(1);
      await eventually(async () => warnings.some((w) => w.includes("the queue's wake-up connection failed")), 5_000);

      // Reconnected: listening again on a new connection, and a new job wakes the worker.
      await eventually(async () => {
        const again = await admin.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'`,
        );
        return again.rows.length === 1 && again.rows[0]!.pid !== rows[0]!.pid;
      }, 5_000);
      await queue.enqueue("wake-up-test", { n: "after" });
      await eventually(async () => ran.includes("after"), 5_000);
    } finally {
      await queue.drain(5_000);
    }
  });

  // The channels Agenda's PostgreSQL backend uses by default: wake-ups, and its relay of job states.
  const WAKE_UPS = "agenda:jobs";
  const STATES = "agenda:jobs:state";

  it("wakes workers when a job is queued, and relays no job's start, success or end to them", async () => {
    const heard: string[] = [];
    const onNotification = (message: pg.Notification) => void heard.push(message.channel);
    admin.on("notification", onNotification);
    await admin.query(`LISTEN "${WAKE_UPS}"`);
    await admin.query(`LISTEN "${STATES}"`);
    const queue = new JobQueue(database, { concurrency: 1, lockLifetimeMs: 60_000, pollMs: 60_000 });
    let ran = false;
    queue.define("relay-test", async () => void (ran = true));
    await queue.start();
    try {
      await queue.enqueue("relay-test", {});
      await eventually(async () => ran, 5_000);
      await new Promise((resolve) => setTimeout(resolve, 300)); // time for a relay sent at the job's end
      expect(heard).toContain(WAKE_UPS);
      expect(heard.filter((channel) => channel === STATES)).toEqual([]);
    } finally {
      admin.off("notification", onNotification);
      await admin.query("UNLISTEN *");
      await queue.drain(5_000);
    }
  });

  it("neither logs, counts nor crashes on another worker's job relayed to it (as a worker of an older version relays them)", async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => void uncaught.push(error);
    process.on("uncaughtExceptionMonitor", onUncaught);
    const logged: string[] = [];
    let counted = 0;
    const queue = new JobQueue(database, {
      concurrency: 1,
      lockLifetimeMs: 60_000,
      name: "bystander",
      metrics: { error: () => void (counted += 1) },
      log: pino({ level: "warn" }, { write: (line: string) => void logged.push(line) }),
    });
    queue.define("relayed", async () => undefined);
    await queue.start();
    try {
      // What Agenda's PostgresNotificationChannel.publishState() sends, from a worker named otherwise.
      const relay = (type: string, extra: object = {}) =>
        JSON.stringify({ type, jobId: "00000000-0000-4000-8000-000000000001", jobName: "relayed", timestamp: new Date().toISOString(), source: "older-worker", ...extra });
      for (const payload of [relay("fail", { error: "its own failure", failCount: 1 }), relay("complete", { duration: 5 })]) {
        await admin.query("SELECT pg_notify($1, $2)", [STATES, payload]);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(uncaught).toEqual([]);
      expect(counted).toBe(0);
      expect(logged).toEqual([]);
    } finally {
      process.off("uncaughtExceptionMonitor", onUncaught);
      await queue.drain(5_000);
    }
  });
});
