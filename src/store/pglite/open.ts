import { execFile } from "node:child_process";
import { access, mkdir } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { setFlagsFromString } from "node:v8";
import type pg from "pg";
import type { Database } from "../database.js";
import { sessionClient } from "./session-client.js";

/**
 * The embedded database: PGlite (PostgreSQL in WebAssembly) in this process, reached over its
 * socket server by the same code as PostgreSQL. Imported only for the embedded default (open.ts).
 *
 * Its memory is set for a small server. PostgreSQL's default 128 MB of shared buffers become part
 * of the WebAssembly heap, which never shrinks; 16 MB hold the app's working set (its tables are
 * small, and the dashboard reads through indexes). A fresh data folder is initialised in a child
 * process: initdb's own WebAssembly instance takes some 500 MB, and in this process that memory
 * would stay with the server for good, freed or not.
 *
 * Two V8 settings are made for it, before its module is compiled; they hold for the whole
 * process, which on the embedded default is the whole app (its worker runs on the same thread: see
 * worker-thread.ts):
 * - PostgreSQL's WebAssembly is compiled by the baseline compiler only (`--liftoff-only`). By
 *   default V8 compiles each function that runs often a second time with its optimising compiler
 *   and keeps both: that code grew the process by 50–65 MB within a few thousand queries, while the
 *   queries ran no slower without it (the app's are small; their cost is in the protocol and the
 *   planner, not in tight loops).
 * - `--optimize-for-size`: V8 grows its heap in smaller steps and gives pages back sooner. Measured
 *   with `npm run bench:memory`, the app went from 201 MB idle and 283 MB after 60 label → PR runs to
 *   169 and 197 MB. It costs CPU — about 40% more per webhook in `npm run bench:intake` — which is
 *   why it is the embedded default's alone: a team on a database server has chosen throughput.
 *   (A smaller young generation alone, `--max-semi-space-size`, made the heap grow more, not less.)
 */

/** The embedded database accepts this many socket connections; our pool stays below it. */
const PGLITE_MAX_CONNECTIONS = 16;
const PGLITE_POOL_SIZE = 4;
export const PGLITE_SETTINGS = ["shared_buffers=16MB", "work_mem=4MB", "maintenance_work_mem=16MB", "temp_buffers=2MB", "wal_buffers=1MB"];

const LIFTOFF_ONLY = "--liftoff-only";
const OPTIMIZE_FOR_SIZE = "--optimize-for-size";

const PGLITE_ANALYZE_FIRST_MS = 10_000;
const PGLITE_ANALYZE_EVERY_MS = 30 * 60_000;

type OpenPostgres = (url: string, notifications: boolean, poolSize: number, kind: "pglite", client: typeof pg.Client) => Promise<Database>;

export async function openPglite(dataDir: string, openPostgres: OpenPostgres): Promise<Database> {
  await mkdir(dataDir, { recursive: true });
  await initialised(dataDir);
  setFlagsFromString(LIFTOFF_ONLY);
  setFlagsFromString(OPTIMIZE_FOR_SIZE);
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const db = await PGlite.create(dataDir, { postgresqlconf: PGLITE_SETTINGS });
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: PGLITE_MAX_CONNECTIONS });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  // LISTEN/NOTIFY does not cross PGlite's socket, so the queue polls (cheaply: it is in-process).
  // Its connections take turns: see session-client.ts.
  const database = await openPostgres(url, false, PGLITE_POOL_SIZE, "pglite", sessionClient());
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

/** The child's script: PGlite, from the URL this process resolved it at, creates the folder's database and closes it. */
const INIT_SCRIPT = `const { PGlite } = await import(process.env.PGLITE_MODULE);
const db = await PGlite.create(process.env.PGLITE_DATA_DIR, { postgresqlconf: JSON.parse(process.env.PGLITE_SETTINGS) });
await db.close();`;

/** Runs initdb for a data folder that has no database yet, in a child process (see above). */
async function initialised(dataDir: string): Promise<void> {
  if (await access(path.join(dataDir, "PG_VERSION")).then(() => true, () => false)) return;
  await promisify(execFile)(process.execPath, [LIFTOFF_ONLY, "--input-type=module", "--eval", INIT_SCRIPT], {
    // Only what the child needs: it runs our own script, but nothing of the server's secrets is for it.
    env: { PATH: process.env.PATH ?? "", PGLITE_MODULE: import.meta.resolve("@electric-sql/pglite"), PGLITE_DATA_DIR: dataDir, PGLITE_SETTINGS: JSON.stringify(PGLITE_SETTINGS) },
    timeout: 120_000,
  });
}
