#!/usr/bin/env node
import pg from "pg";
import { ConfigError, loadConfig } from "../config/env.js";
import { loadEnvFile } from "./env-file.js";

/**
 * The container's health check (Dockerfile HEALTHCHECK): exits 0 when healthy, 1 with one line
 * saying why not. A process that serves HTTP (ROLE=web or all, setup mode included) is asked for
 * /healthz. A worker serves no HTTP, so its check is the one thing it cannot work without that
 * the container runtime cannot see: reaching its database (a worker always has a server one).
 */

const TIMEOUT_MS = 4_000;

async function check(): Promise<string> {
  loadEnvFile(".env");
  const config = loadConfig();
  if (config.ROLE !== "worker") {
    const url = `http://127.0.0.1:${config.PORT}/healthz`;
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    return `${url} answered ${res.status}`;
  }
  if (config.MONGODB_URL) {
    const { MongoClient } = await import("mongodb");
    const client = new MongoClient(config.MONGODB_URL, { serverSelectionTimeoutMS: TIMEOUT_MS, connectTimeoutMS: TIMEOUT_MS });
    try {
      await client.db().command({ ping: 1 });
      return "worker: MongoDB answers";
    } finally {
      await client.close();
    }
  }
  const client = new pg.Client({ connectionString: config.DATABASE_URL, connectionTimeoutMillis: TIMEOUT_MS, query_timeout: TIMEOUT_MS });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return "worker: PostgreSQL answers";
  } finally {
    await client.end().catch(() => undefined);
  }
}

try {
  process.stdout.write(`healthy: ${await check()}\n`);
  process.exit(0);
} catch (error) {
  // The driver's and fetch's messages name hosts, never passwords; the first line is enough.
  const cause = (error as { cause?: { code?: string } }).cause?.code;
  const message = error instanceof ConfigError ? error.message : `${String((error as Error).message).split("\n")[0]}${cause ? ` (${cause})` : ""}`;
  process.stdout.write(`unhealthy: ${message}\n`);
  process.exit(1);
}
