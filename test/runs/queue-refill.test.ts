import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobQueue } from "../../src/runs/queue.js";
import { QueueRefill } from "../../src/runs/queue-refill.js";
import { type Database, openDatabase } from "../../src/store/open.js";
import { eventually } from "../helpers/app-server.js";
import { type TestDatabase, freshMongo, freshPglite, freshPostgres, mongoUrl } from "../helpers/databases.js";

/**
 * A worker takes the next due job when one ends, not at its next poll. Each queue here polls once
 * a minute and hears no wake-ups (PostgreSQL with notifications off, PGlite, MongoDB without a
 * change stream), so after its first poll a job can only start because another one ended.
 */

const POLL_ONCE_A_MINUTE = 60_000;

/** Stands in for Agenda's processor: each fill waits until the test lets it finish. */
function processorHeld() {
  const fills: { name: string; finish: () => void }[] = [];
  let processed = 0;
  const processor = {
    isRunning: true,
    jobQueueFilling: (name: string) => new Promise<void>((resolve) => fills.push({ name, finish: resolve })),
    jobProcessing: async () => void (processed += 1),
  };
  return { processor, fills, processed: () => processed };
}
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("QueueRefill", () => {
  it("runs one fill per name at a time: jobs ending during it ask for one more after it, not one each", async () => {
    const { processor, fills, processed } = processorHeld();
    const refill = new QueueRefill(processor, (error) => expect.fail(String(error)));
    refill.jobEnded("run");
    refill.jobEnded("trigger");
    for (let i = 0; i < 5; i++) refill.jobEnded("run");
    expect(fills.map((f) => f.name)).toEqual(["run", "trigger"]);

    fills[0]!.finish();
    await turn();
    expect(fills.map((f) => f.name)).toEqual(["run", "trigger", "run"]);
    fills[2]!.finish();
    fills[1]!.finish();
    await refill.settled();
    expect(fills).toHaveLength(3);
    // Each fill is followed by starting what it locked.
    expect(processed()).toBe(3);
  });

  it("fills nothing once the processor stops, and settles only when the fill in flight ends", async () => {
    const { processor, fills } = processorHeld();
    const refill = new QueueRefill(processor, (error) => expect.fail(String(error)));
    refill.jobEnded("run");
    refill.jobEnded("run");
    processor.isRunning = false;
    refill.jobEnded("trigger");
    let settled = false;
    const settling = refill.settled().then(() => (settled = true));
    await turn();
    expect(settled).toBe(false);
    fills[0]!.finish();
    await settling;
    // The fill asked for during the first is dropped: the processor had stopped.
    expect(fills.map((f) => f.name)).toEqual(["run"]);
  });
});

/** PostgreSQL with LISTEN/NOTIFY turned off: a queued job wakes no worker. */
async function postgresWithoutWakeUps(): Promise<TestDatabase> {
  const scratch = await freshPostgres();
  if (scratch.target.kind !== "postgres") throw new Error("expected PostgreSQL");
  const target = { ...scratch.target, notifications: false };
  return { ...scratch, target, open: () => openDatabase(target) };
}

const backends: [string, () => Promise<TestDatabase>][] = [
  ["PostgreSQL without notifications", postgresWithoutWakeUps],
  ["PGlite", freshPglite],
  ...(mongoUrl ? [["MongoDB", freshMongo] as [string, () => Promise<TestDatabase>]] : []),
];

describe.each(backends)("taking the next job as one ends, on %s", (_name, fresh) => {
  let testDb: TestDatabase;
  let database: Database;

  beforeAll(async () => {
    testDb = await fresh();
    database = await testDb.open();
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.dispose();
  });

  /** A worker of `concurrency` slots whose jobs record their starts, ends and how many ran at once. */
  const worker = (name: string, jobName: string, ms: number) => {
    const queue = new JobQueue(database, { concurrency: 2, lockLifetimeMs: 60_000, pollMs: POLL_ONCE_A_MINUTE, name });
    const seen = { started: [] as string[], done: [] as string[], running: 0, mostAtOnce: 0 };
    queue.define<{ key: string }>(jobName, async ({ key }) => {
      seen.started.push(key);
      seen.running += 1;
      seen.mostAtOnce = Math.max(seen.mostAtOnce, seen.running);
      await sleep(ms);
      seen.running -= 1;
      seen.done.push(key);
    });
    return { queue, seen };
  };
  const enqueue = async (jobName: string, keys: string[]) => {
    const producer = new JobQueue(database, { concurrency: 1, lockLifetimeMs: 60_000, name: "producer" });
    await producer.ready();
    for (const key of keys) await producer.enqueue(jobName, { key });
  };

  it("runs 20 queued jobs at concurrency 2 between two polls a minute apart: each once, never more than 2 at once", async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `burst-${i}`);
    // Queued before the worker starts, so its first poll finds them; no later poll comes in time.
    await enqueue("refill-burst", keys);
    const { queue, seen } = worker("refill-worker", "refill-burst", 20);
    await queue.start();
    try {
      await eventually(async () => seen.done.length === keys.length, 20_000);
      await sleep(200); // time for a job run twice to show up
      expect([...seen.started].sort()).toEqual([...keys].sort());
      expect(seen.mostAtOnce).toBe(2);
    } finally {
      await queue.drain(5_000);
    }
  }, 30_000);

  it("starts nothing once draining mid-burst, and leaves no job locked: another worker takes the rest at once", async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `handover-${i}`);
    await enqueue("refill-handover", keys);
    const first = worker("refill-first", "refill-handover", 30);
    await first.queue.start();
    await eventually(async () => first.seen.done.length >= 4, 20_000);
    // Jobs end, and fills run, while the drain goes on: whatever they lock must be handed back.
    await first.queue.drain(5_000);
    const startedBeforeDrainEnded = first.seen.started.length;
    await sleep(200);
    expect(first.seen.started).toHaveLength(startedBeforeDrainEnded);
    expect(first.seen.done).toHaveLength(startedBeforeDrainEnded);

    // A lock left behind would hold its job for the lock lifetime (a minute), past this wait.
    const second = worker("refill-second", "refill-handover", 30);
    await second.queue.start();
    try {
      await eventually(async () => first.seen.done.length + second.seen.done.length === keys.length, 20_000);
      await sleep(200);
      expect([...first.seen.started, ...second.seen.started].sort()).toEqual([...keys].sort());
      expect(second.seen.mostAtOnce).toBeLessThanOrEqual(2);
    } finally {
      await second.queue.drain(5_000);
    }
  }, 30_000);
});
