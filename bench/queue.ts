/**
 * The Agenda queue on PostgreSQL (LISTEN/NOTIFY) and on embedded PGlite (polling), each with its
 * production poll interval. Run with `npm run bench:queue`. Per round:
 * - pickup latency (enqueue → handler start) of jobs queued one at a time;
 * - a burst of short jobs drained by one worker in this process — jobs/s per worker;
 * - the same burst drained by one worker process, then by three (bench/queue-workers.ts): the
 *   ratio, beside the cores this machine offers, and jobs lost or run twice.
 * PostgreSQL comes from TEST_DATABASE_URL or DATABASE_URL, else the local server; each round uses a
 * scratch database. Figures are min / median / max over the rounds.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { JobQueue } from "../src/runs/queue.js";
import { type Database, type DatabaseTarget, openDatabase } from "../src/store/open.js";
import { freshPostgres } from "../test/helpers/databases.js";
import { type BurstFigures, workerBurst } from "./queue-workers.js";

const ROUNDS = 3;
const LATENCY_JOBS = 100;
const LATENCY_GAP_MS = 25;
const BURST_JOBS = 1000;
const CONCURRENCY = 10;
const DEADLINE_MS = 300_000;

interface Round {
  pollMs: number;
  p50: number;
  p95: number;
  /** One worker in this process. */
  jobsPerSecond: number;
  one: BurstFigures;
  three: BurstFigures;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function inProcess(database: Database): Promise<Pick<Round, "p50" | "p95" | "jobsPerSecond">> {
  const queue = new JobQueue(database, { concurrency: CONCURRENCY, lockLifetimeMs: 60_000 });
  const pickups: number[] = [];
  let finished = 0;
  queue.define<{ enqueuedAt: number }>("bench-pickup", async ({ enqueuedAt }) => {
    pickups.push(performance.timeOrigin + performance.now() - enqueuedAt);
    return Promise.resolve();
  });
  queue.define("bench-burst", async () => {
    finished += 1;
    return Promise.resolve();
  });
  await queue.start();
  try {
    await sleep(500); // let the first poll and LISTEN settle

    // One job at a time, spaced out, so each measures a pickup and not a backlog.
    for (let i = 0; i < LATENCY_JOBS; i++) {
      await queue.enqueue("bench-pickup", { enqueuedAt: performance.timeOrigin + performance.now() });
      await sleep(LATENCY_GAP_MS);
    }
    const deadline = Date.now() + DEADLINE_MS;
    while (pickups.length < LATENCY_JOBS && Date.now() < deadline) await sleep(20);

    // A burst queued at once, timed until the last one finishes.
    const started = performance.now();
    await Promise.all(Array.from({ length: BURST_JOBS }, () => queue.enqueue("bench-burst", {})));
    while (finished < BURST_JOBS && Date.now() < deadline) await sleep(10);
    const seconds = (performance.now() - started) / 1000;
    const sorted = [...pickups].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), jobsPerSecond: finished / seconds };
  } finally {
    await queue.drain(10_000);
  }
}

async function round(database: Database, target: DatabaseTarget, n: number): Promise<Round> {
  const local = await inProcess(database);
  const burst = { database, target, jobs: BURST_JOBS, concurrency: CONCURRENCY };
  const one = await workerBurst({ ...burst, workers: 1, label: `r${n}-one` });
  const three = await workerBurst({ ...burst, workers: 3, label: `r${n}-three` });
  return { pollMs: database.defaultPollMs, ...local, one, three };
}

async function onPostgres(n: number): Promise<Round> {
  const scratch = await freshPostgres();
  try {
    const database = await scratch.open();
    try {
      return await round(database, scratch.target, n);
    } finally {
      await database.close();
    }
  } finally {
    await scratch.dispose();
  }
}

async function onPglite(n: number): Promise<Round> {
  const dir = await mkdtemp(path.join(tmpdir(), "ai-agent-bench-"));
  try {
    const database = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      // Worker processes reach the embedded database through its socket, which carries no
      // LISTEN/NOTIFY, and whose connection cap their pools must stay under.
      return await round(database, { kind: "postgres", url: database.postgresUrl!, notifications: false, poolSize: 2 }, n);
    } finally {
      await database.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const spread = (values: number[], digits: number, unit = ""): string => {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `${[sorted[0]!, median, sorted.at(-1)!].map((v) => v.toFixed(digits)).join(" / ")}${unit}`;
};

function report(backend: string, rounds: Round[]): void {
  const sum = (pick: (r: Round) => number) => rounds.reduce((total, r) => total + pick(r), 0);
  console.log(`\n${backend}, poll ${rounds[0]?.pollMs} ms`);
  console.log(`  pickup p50                  ${spread(rounds.map((r) => r.p50), 1, " ms")}`);
  console.log(`  pickup p95                  ${spread(rounds.map((r) => r.p95), 1, " ms")}`);
  console.log(`  burst, worker in-process    ${spread(rounds.map((r) => r.jobsPerSecond), 0, " jobs/s")}`);
  console.log(`  burst, 1 worker process     ${spread(rounds.map((r) => r.one.jobsPerSecond), 0, " jobs/s")}`);
  console.log(`  burst, 3 worker processes   ${spread(rounds.map((r) => r.three.jobsPerSecond), 0, " jobs/s")}`);
  console.log(
    `  3 workers / 1 worker        ${spread(rounds.map((r) => r.three.jobsPerSecond / r.one.jobsPerSecond), 2, "×")}  (${availableParallelism()} cores available)`,
  );
  console.log(`  lost / run twice            ${sum((r) => r.one.lost + r.three.lost)} / ${sum((r) => r.one.duplicated + r.three.duplicated)}`);
}

console.log(
  `job queue: pickup over ${LATENCY_JOBS} jobs queued ${LATENCY_GAP_MS} ms apart; bursts of ${BURST_JOBS} short jobs at concurrency ${CONCURRENCY} per worker; ${ROUNDS} rounds, min / median / max`,
);
const postgres: Round[] = [];
for (let n = 1; n <= ROUNDS; n++) postgres.push(await onPostgres(n));
report("PostgreSQL (LISTEN/NOTIFY)", postgres);
const pglite: Round[] = [];
for (let n = 1; n <= ROUNDS; n++) pglite.push(await onPglite(n));
report("PGlite (no LISTEN across its socket)", pglite);
console.log("\ntargets on PostgreSQL: pickup p50 ≤ 50 ms; ≥ 100 jobs/s per worker; 3 workers ≥ 2.5× one where cores allow; 0 lost, 0 run twice");
