import path from "node:path";
import { PostgresBackend } from "@agendajs/postgres-backend";
import pg from "pg";
import { type Database, DEDUPE_KEY, type DatabaseTarget } from "./database.js";
import { PostgresStore } from "./postgres/index.js";
import { postgresQueueJobs, queueJobIndexes } from "./postgres/queue-jobs.js";
import type { StoreKind } from "./types.js";

export { DEDUPE_KEY, type Database, type DatabaseTarget } from "./database.js";

/** From the server's parsed environment (config/env.ts); the store reads only these three. */
export function databaseTarget(config: { MONGODB_URL?: string | undefined; DATABASE_URL?: string | undefined; DATA_DIR: string }): DatabaseTarget {
  if (config.MONGODB_URL) return { kind: "mongodb", url: config.MONGODB_URL };
  if (config.DATABASE_URL) return { kind: "postgres", url: config.DATABASE_URL };
  return { kind: "pglite", dataDir: path.resolve(config.DATA_DIR, "pglite") };
}

/**
 * Opens the target's database. MongoDB's driver and the embedded database's WebAssembly build are
 * imported only for their own targets: a server on PostgreSQL loads neither, and one on the
 * embedded default does not load MongoDB's.
 */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  switch (target.kind) {
    case "mongodb":
      return (await import("./mongo/open.js")).openMongo(target.url);
    case "postgres":
      return openPostgres(target.url, target.notifications ?? true, target.poolSize ?? 10, "postgres");
    case "pglite":
      return (await import("./pglite/open.js")).openPglite(target.dataDir, openPostgres);
  }
}

/** `client`: the pool's connection class (the embedded database's take turns, see pglite/session-client.ts). */
export async function openPostgres(url: string, notifications: boolean, poolSize: number, kind: StoreKind, client?: typeof pg.Client): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000, ...(client ? { Client: client } : {}) });
  // An idle client that loses its connection emits 'error' on the pool; without a listener that
  // would crash the process. The next query reconnects, and readiness reports the outage.
  pool.on("error", () => undefined);
  const store = new PostgresStore(pool, kind);
  try {
    await withAdvisoryLock(pool, async () => {
      await store.migrate();
      // Agenda's own schema, created here under the same lock: its CREATE OR REPLACE FUNCTION
      // fails with a duplicate key when several workers start against a new database at once.
      await new PostgresBackend({ pool, disableNotifications: true }).connect();
      await pool.query(
        `CREATE UNIQUE INDEX IF NOT EXISTS agenda_jobs_dedupe_idx ON agenda_jobs (name, (data->>'${DEDUPE_KEY}'))
         WHERE data ? '${DEDUPE_KEY}'`,
      );
      for (const sql of queueJobIndexes) await pool.query(sql);
    });
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return {
    kind,
    store,
    queueBackend: (onWakeUpError) =>
      wakeWithoutWaiting(new PostgresBackend({ pool, disableNotifications: !notifications, ensureSchema: false }), onWakeUpError),
    queueJobs: postgresQueueJobs(pool),
    defaultPollMs: notifications ? 1_000 : 100,
    postgresUrl: url,
    close: () => store.close(),
  };
}

/**
 * A queued job is durable once its row is written; the NOTIFY after it only wakes the workers
 * early (they poll too). So the NOTIFY is sent without waiting for it: enqueueing is one round
 * trip, not two. And the LISTEN connection's errors — PostgreSQL restarted, a connection killed —
 * go to `onError`: Agenda sets no listener for them, and an 'error' event without one would end the
 * process.
 *
 * Agenda also relays every job's start, success and end to the other workers, three NOTIFYs per
 * job that each worker hears and re-emits as events of its own. Nothing here listens for another
 * worker's jobs, and at hundreds of short jobs a second those round trips halved what a worker
 * drained, so the relay is turned off: without `publishState` Agenda sends none.
 */
function wakeWithoutWaiting(backend: PostgresBackend, onError: (error: Error) => void = () => undefined): PostgresBackend {
  const channel = backend.notificationChannel;
  if (!channel) return backend;
  channel.on("error", onError);
  // An own property hides the class's method, as if the channel had none (the method is optional).
  Object.defineProperty(channel, "publishState", { value: undefined });
  const publish = channel.publish.bind(channel);
  channel.publish = (notification) => {
    publish(notification).catch(() => undefined);
    return Promise.resolve();
  };
  return backend;
}

/**
 * Runs `work` while holding a session-level advisory lock, so processes starting at once against
 * one database create the schema one at a time. `work` uses other pool clients: pool size ≥ 2.
 */
async function withAdvisoryLock(pool: pg.Pool, work: () => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock(727001)");
    try {
      await work();
    } finally {
      await client.query("SELECT pg_advisory_unlock(727001)");
    }
  } finally {
    client.release();
  }
}
