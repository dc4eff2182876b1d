/**
 * Scale-out for bench/queue.ts: a burst of short jobs drained by one worker process, then by three,
 * each a separate process with the app's own JobQueue (test/fixtures/queue-worker.ts) on the same
 * database, with the backend's production poll interval. Every start and finish is reported by the
 * worker, so a job run twice or never shows up in the counts.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { JobQueue } from "../src/runs/queue.js";
import type { Database, DatabaseTarget } from "../src/store/open.js";
import { type WorkerProcess, startWorker } from "../test/helpers/workers.js";

export interface BurstFigures {
  jobsPerSecond: number;
  /** Jobs queued that no worker finished before the deadline. */
  lost: number;
  /** Starts beyond the first of each job: a job run twice counts one. */
  duplicated: number;
}

export interface WorkerBurstOptions {
  database: Database;
  /** How worker processes reach `database`. */
  target: DatabaseTarget;
  workers: number;
  jobs: number;
  concurrency: number;
  /** Tells this burst's jobs from an earlier one's. */
  label: string;
}

const DEADLINE_MS = 300_000;
/** After the last job finishes, this long more, so a job run twice has time to show up. */
const SETTLE_MS = 500;

export async function workerBurst(options: WorkerBurstOptions): Promise<BurstFigures> {
  const { database, workers, jobs, concurrency, label } = options;
  const env = { WORKER_CONCURRENCY: String(concurrency), WORKER_POLL_MS: String(database.defaultPollMs) };
  const pool: WorkerProcess[] = Array.from({ length: workers }, (_, i) => startWorker(`${label}-w${i + 1}`, options.target, env));
  try {
    await Promise.all(pool.map((w) => w.waitFor((e) => e.event === "ready", 60_000)));
    await sleep(500); // let the first poll and LISTEN settle
    const keys = Array.from({ length: jobs }, (_, i) => `${label}-${i}`);
    const producer = new JobQueue(database, { concurrency: 1, lockLifetimeMs: 60_000 });
    await producer.ready();

    const done = new Set<string>();
    const countDone = () => {
      for (const w of pool) for (const e of w.events) if (e.event === "done" && e.key) done.add(e.key);
      return done.size;
    };
    const started = performance.now();
    await Promise.all(keys.map((key) => producer.enqueue("contract-job", { key, ms: 0 })));
    const deadline = Date.now() + DEADLINE_MS;
    while (countDone() < jobs && Date.now() < deadline) await sleep(10);
    const seconds = (performance.now() - started) / 1000;
    await sleep(SETTLE_MS);

    const starts = pool.flatMap((w) => w.events.filter((e) => e.event === "start").map((e) => e.key));
    countDone();
    return {
      jobsPerSecond: done.size / seconds,
      lost: keys.filter((key) => !done.has(key)).length,
      duplicated: starts.length - new Set(starts).size,
    };
  } finally {
    for (const w of pool) w.child.kill("SIGTERM");
    await Promise.all(pool.map((w) => w.exited));
  }
}
