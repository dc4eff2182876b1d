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

  it("logs and counts a failed job once, in the worker that ran it, though every worker hears of it over NOTIFY", async () => {
    // Agenda relays each job's start, success and failure to the other workers as 'fail' events of
    // their own, carrying a notice in place of the job.
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => void uncaught.push(error);
    process.on("uncaughtExceptionMonitor", onUncaught);
    const failures = { runner: 0, bystander: 0 };
    const logged = { runner: [] as string[], bystander: [] as string[] };
    const worker = (name: "runner" | "bystander") =>
      new JobQueue(database, {
        concurrency: 1,
        lockLifetimeMs: 60_000,
        name,
        metrics: { error: () => void (failures[name] += 1) },
        log: pino({ level: "warn" }, { write: (line: string) => void logged[name].push(line) }),
      });
    const runner = worker("runner");
    const bystander = worker("bystander");
    let ran = false;
    runner.define("fails-once", async () => {
      ran = true;
      throw new Error("the job's own failure");
    });
    await Promise.all([runner.start(), bystander.start()]);
    try {
      await runner.enqueue("fails-once", {});
      await eventually(async () => ran && failures.runner === 1, 5_000);
      // Time for the relayed notice to reach the other worker.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(failures).toEqual({ runner: 1, bystander: 0 });
      expect(logged.runner.filter((line) => line.includes("job failed"))).toHaveLength(1);
      expect(logged.bystander).toEqual([]);
      expect(uncaught).toEqual([]);
    } finally {
      process.off("uncaughtExceptionMonitor", onUncaught);
      await Promise.all([runner.drain(5_000), bystander.drain(5_000)]);
    }
  });
});
