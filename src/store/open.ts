import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { AgendaBackend } from "agenda";
import { MongoBackend } from "@agendajs/mongo-backend";
import { PostgresBackend } from "@agendajs/postgres-backend";
import { MongoClient } from "mongodb";
import pg from "pg";
import { MongoStore } from "./mongo/index.js";
import { PostgresStore } from "./postgres/index.js";
import type { Store, StoreKind } from "./types.js";
import type { QueueJobs } from "./queue-health.js";
import { createQueueJobIndexes, mongoQueueJobs } from "./mongo/queue-jobs.js";
import { postgresQueueJobs, queueJobIndexes } from "./postgres/queue-jobs.js";

/**
 * A job whose data carries this key is unique per job name and key: a unique index on the queue's
 * own table makes the insert itself the duplicate check, so queueing stays one durable write.
 */
export const DEDUPE_KEY = "dedupeKey";

/** Where the data lives, as chosen at boot. */
export type DatabaseTarget =
  | { kind: "mongodb"; url: string }
  /** poolSize must be at least 2: start-up holds one client for a lock while another migrates. */
  | { kind: "postgres"; url: string; notifications?: boolean; poolSize?: number }
  | { kind: "pglite"; dataDir: string };

export interface Database {
  kind: StoreKind;
  store: Store;
  /**
   * A fresh Agenda backend over the same connection (Agenda disconnects what it is given).
   * `onWakeUpError` hears when the wake-up channel (LISTEN on PostgreSQL) loses its connection; it
   * reconnects by itself, and polling carries on meanwhile.
   */
  queueBackend(onWakeUpError?: (error: Error) => void): AgendaBackend;
  /** The queue's job records as the queue page reads them, and a failed job's retry. */
  queueJobs: QueueJobs;
  /** Poll interval that suits this backend; LISTEN/NOTIFY makes polling a fallback on PostgreSQL. */
  defaultPollMs: number;
  /** Connection string other processes can use (the embedded database's socket), for tests and benches. */
  postgresUrl?: string;
  close(): Promise<void>;
}

/** From the server's parsed environment (config/env.ts); the store reads only these three. */
export function databaseTarget(config: { MONGODB_URL?: string | undefined; DATABASE_URL?: string | undefined; DATA_DIR: string }): DatabaseTarget {
  if (config.MONGODB_URL) return { kind: "mongodb", url: config.MONGODB_URL };
  if (config.DATABASE_URL) return { kind: "postgres", url: config.DATABASE_URL };
  return { kind: "pglite", dataDir: path.resolve(config.DATA_DIR, "pglite") };
}

/** The embedded database accepts this many socket connections; our pool stays below it. */
const PGLITE_MAX_CONNECTIONS = 16;
const PGLITE_POOL_SIZE = 4;

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  switch (target.kind) {
    case "mongodb":
      return openMongo(target.url);
    case "postgres":
      return openPostgres(target.url, target.notifications ?? true, target.poolSize ?? 10, "postgres");
    case "pglite":
      return openPglite(target.dataDir);
  }
}

async function openMongo(url: string): Promise<Database> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  const db = client.db();
  const store = new MongoStore(client, db);
  await store.migrate();
  await db.collection("agenda_jobs").createIndex(
    { name: 1, [`data.${DEDUPE_KEY}`]: 1 },
    { name: "dedupe", unique: true, partialFilterExpression: { [`data.${DEDUPE_KEY}`]: { $exists: true } } },
  );
  await createQueueJobIndexes(db);
  return {
    kind: "mongodb",
    store,
    queueBackend: () => new MongoBackend({ mongo: db, collection: "agenda_jobs" }),
    queueJobs: mongoQueueJobs(db),
    defaultPollMs: 200,
    close: () => store.close(),
  };
}

async function openPostgres(url: string, notifications: boolean, poolSize: number, kind: StoreKind): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000 });
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

const PGLITE_ANALYZE_FIRST_MS = 10_000;
const PGLITE_ANALYZE_EVERY_MS = 30 * 60_000;

async function openPglite(dataDir: string): Promise<Database> {
  // Loaded on demand: the WebAssembly build is only needed by the embedded default.
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: PGLITE_MAX_CONNECTIONS });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  // LISTEN/NOTIFY does not cross PGlite's socket, so the queue polls (cheaply: it is in-process).
  const database = await openPostgres(url, false, PGLITE_POOL_SIZE, "pglite");
  // PGlite runs no autovacuum, so the planner would never learn the tables' sizes and choose the
  // dashboard's plans blind. Statistics are gathered soon after start, then every half hour, as
  // autovacuum would on PostgreSQL.
  const analyze = () => void db.exec("ANALYZE").catch(() => undefined);
  const first = setTimeout(analyze, PGLITE_ANALYZE_FIRST_MS);
  const every = setInterval(analyze, PGLITE_ANALYZE_EVERY_MS);
  first.unref();
  every.unref();
  return {
    ...database,
    async close() {
      clearTimeout(first);
      clearInterval(every);
      await database.close();
      await server.stop();
      await db.close();
    },
  };
}
