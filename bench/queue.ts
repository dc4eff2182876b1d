/**
 * Job pickup latency (enqueue → handler start) and throughput of the Agenda queue, on PostgreSQL
 * (LISTEN/NOTIFY) and on embedded PGlite (polling). Run with `npm run bench:queue`.
 * PostgreSQL comes from TEST_DATABASE_URL or DATABASE_URL, else the local server; each run uses a
 * scratch database.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { JobQueue } from "../src/runs/queue.js";
import { type Database, openDatabase } from "../src/store/open.js";
import { freshPostgres } from "../test/helpers/databases.js";

const LATENCY_JOBS = 100;
const LATENCY_GAP_MS = 25;
const THROUGHPUT_JOBS = 1000;
const CONCURRENCY = 10;

interface Figures {
  backend: string;
  p50: number;
  p95: number;
  max: number;
  jobsPerSecond: number;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function measure(backend: string, database: Database): Promise<Figures> {
  const queue = new JobQueue(database, { concurrency: CONCURRENCY, lockLifetimeMs: 60_000 });
  const pickups: number[] = [];
  let finished = 0;
  queue.define<{ enqueuedAt: number }>("bench-pickup", async ({ enqueuedAt }) => {
    pickups.push(performance.timeOrigin + performance.now() - enqueuedAt);
    return Promise.resolve();
  });
  queue.define("bench-throughput", async () => {
    finished += 1;
    return Promise.resolve();
  });
  await queue.start();
  await sleep(500); // let the first poll and LISTEN settle

  // Latency: one job at a time, spaced out, so each measures a pickup and not a backlog.
  for (let i = 0; i < LATENCY_JOBS; i++) {
    await queue.enqueue("bench-pickup", { enqueuedAt: performance.timeOrigin + performance.now() });
    await sleep(LATENCY_GAP_MS);
  }
  const deadline = Date.now() + 60_000;
  while (pickups.length < LATENCY_JOBS && Date.now() < deadline) await sleep(20);

  // Throughput: a burst enqueued at once, timed until the last one finishes.
  const started = performance.now();
  await Promise.all(Array.from({ length: THROUGHPUT_JOBS }, () => queue.enqueue("bench-throughput", {})));
  while (finished < THROUGHPUT_JOBS && Date.now() < deadline + 120_000) await sleep(10);
  const seconds = (performance.now() - started) / 1000;

  await queue.drain(10_000);
  const sorted = [...pickups].sort((a, b) => a - b);
  return {
    backend,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.at(-1) ?? NaN,
    jobsPerSecond: finished / seconds,
  };
}

async function onPostgres(): Promise<Figures> {
  const scratch = await freshPostgres();
  try {
    const database = await scratch.open();
    try {
      return await measure("PostgreSQL (LISTEN/NOTIFY)", database);
    } finally {
      await database.close();
    }
  } finally {
    await scratch.dispose();
  }
}

async function onPglite(): Promise<Figures> {
  const dir = await mkdtemp(path.join(tmpdir(), "ai-agent-bench-"));
  try {
    const database = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      return await measure(`PGlite (poll ${database.defaultPollMs} ms)`, database);
    } finally {
      await database.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const rows = [await onPostgres(), await onPglite()];
const ms = (n: number) => `${n.toFixed(1)} ms`.padStart(10);
console.log(`\njob pickup latency over ${LATENCY_JOBS} jobs; throughput over ${THROUGHPUT_JOBS} jobs at concurrency ${CONCURRENCY}`);
console.log(`${"backend".padEnd(30)}${"p50".padStart(10)}${"p95".padStart(10)}${"max".padStart(10)}${"jobs/s".padStart(10)}`);
for (const row of rows) {
  console.log(`${row.backend.padEnd(30)}${ms(row.p50)}${ms(row.p95)}${ms(row.max)}${row.jobsPerSecond.toFixed(0).padStart(10)}`);
}
console.log("target: p50 pickup ≤ 200 ms on PostgreSQL");
