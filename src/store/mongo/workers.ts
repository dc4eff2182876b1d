import type { Collection } from "mongodb";
import type { PickupLatency, WorkerHeartbeat, WorkerRecord } from "../queue-health.js";

/**
 * Worker heartbeats and pickup latency on MongoDB, as src/store/postgres/workers.ts does them: the
 * last-seen time is the server's (`$currentDate`, `$$NOW`), the percentiles nearest-rank.
 */

export type WorkerDoc = Omit<WorkerHeartbeat, "id"> & { _id: string; lastSeenAt: Date };

export async function recordWorker(workers: Collection<WorkerDoc>, { id, jobsRunning, concurrency, ...fixed }: WorkerHeartbeat): Promise<void> {
  await workers.updateOne(
    { _id: id },
    { $set: { jobsRunning, concurrency }, $setOnInsert: fixed, $currentDate: { lastSeenAt: true } },
    { upsert: true },
  );
}

export async function listWorkers(workers: Collection<WorkerDoc>): Promise<WorkerRecord[]> {
  const docs = await workers
    .aggregate<WorkerDoc & { silentMs: number }>([{ $addFields: { silentMs: { $subtract: ["$$NOW", "$lastSeenAt"] } } }, { $sort: { name: 1, _id: 1 } }])
    .toArray();
  return docs.map(({ _id, ...doc }) => ({
    id: _id,
    name: doc.name,
    role: doc.role,
    pid: doc.pid,
    host: doc.host,
    version: doc.version,
    concurrency: doc.concurrency,
    startedAt: doc.startedAt,
    jobsRunning: doc.jobsRunning,
    lastSeenAt: doc.lastSeenAt,
    silentMs: Math.max(0, Number(doc.silentMs)),
  }));
}

/** The sorted pickups of the window, then the values at ranks ⌈p·n⌉ (percentile_disc on PostgreSQL). */
export async function pickupLatency(runs: Pick<Collection, "aggregate">, since: Date): Promise<PickupLatency> {
  const count = { $size: "$values" };
  const rank = (p: number) => ({ $arrayElemAt: ["$values", { $toInt: { $subtract: [{ $ceil: { $multiply: [p, count] } }, 1] } }] });
  const [result] = await runs
    .aggregate<{ runs: number; p50: number; p95: number; max: number }>([
      { $match: { startedAt: { $gte: since } } },
      { $project: { _id: 0, ms: { $max: [0, { $subtract: ["$startedAt", "$createdAt"] }] } } },
      { $sort: { ms: 1 } },
      { $group: { _id: null, values: { $push: "$ms" } } },
      { $project: { _id: 0, runs: count, p50: rank(0.5), p95: rank(0.95), max: { $arrayElemAt: ["$values", -1] } } },
    ])
    .toArray();
  if (!result || result.runs === 0) return { runs: 0, p50Ms: null, p95Ms: null, maxMs: null };
  return { runs: result.runs, p50Ms: Number(result.p50), p95Ms: Number(result.p95), maxMs: Number(result.max) };
}
