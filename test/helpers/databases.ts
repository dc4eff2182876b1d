import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { MongoClient } from "mongodb";
import pg from "pg";
import { type Database, type DatabaseTarget, openDatabase } from "../../src/store/open.js";

/** The PostgreSQL server the tests use; CI and this machine run one locally. */
export const adminPostgresUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const mongoUrl = process.env.MONGODB_URL;

export interface TestDatabase {
  name: string;
  target: DatabaseTarget;
  open(): Promise<Database>;
  /** Connection string worker processes use (for PGlite: its socket, once opened). */
  dispose(): Promise<void>;
}

const uniqueName = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;

/** A fresh PostgreSQL database per test file, dropped afterwards, so files can run side by side. */
export async function freshPostgres(): Promise<TestDatabase> {
  const name = uniqueName("ai_agent_test");
  const admin = new pg.Client({ connectionString: adminPostgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminPostgresUrl);
  url.pathname = `/${name}`;
  return {
    name: "postgres",
    target: { kind: "postgres", url: url.toString() },
    open: () => openDatabase({ kind: "postgres", url: url.toString() }),
    async dispose() {
      const client = new pg.Client({ connectionString: adminPostgresUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A fresh embedded PGlite database in a temp directory. */
export async function freshPglite(): Promise<TestDatabase> {
  const dir = await mkdtemp(path.join(tmpdir(), "ai-agent-pglite-"));
  return {
    name: "pglite",
    target: { kind: "pglite", dataDir: dir },
    open: () => openDatabase({ kind: "pglite", dataDir: dir }),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A fresh MongoDB database, when MONGODB_URL names a server. */
export function freshMongo(): Promise<TestDatabase> {
  if (!mongoUrl) throw new Error("MONGODB_URL is not set");
  const url = new URL(mongoUrl);
  url.pathname = `/${uniqueName("ai_agent_test")}`;
  return Promise.resolve({
    name: "mongodb",
    target: { kind: "mongodb", url: url.toString() },
    open: () => openDatabase({ kind: "mongodb", url: url.toString() }),
    async dispose() {
      const client = new MongoClient(url.toString());
      await client.connect();
      await client.db().dropDatabase();
      await client.close();
    },
  });
}
