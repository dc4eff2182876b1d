import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startApp } from "../helpers/app-process.js";
import { type TestDatabase, freshPostgres } from "../helpers/databases.js";
import { generatePrivateKey } from "../helpers/keys.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

describe("process roles on one PostgreSQL database", () => {
  let db: TestDatabase;
  let url: string;
  const credentials = { APP_ID: "321", PRIVATE_KEY: generatePrivateKey(), WEBHOOK_SECRET: "roles-secret" };

  beforeAll(async () => {
    db = await freshPostgres();
    if (db.target.kind !== "postgres") throw new Error("expected PostgreSQL");
    url = db.target.url;
  });
  afterAll(() => db.dispose());

  it("ROLE=web serves HTTP and is ready without running jobs", async () => {
    const port = await freePort();
    const app = startApp({ ...credentials, ROLE: "web", DATABASE_URL: url, PORT: String(port), HOST: "127.0.0.1" });
    try {
      await app.waitForOutput("Listening on");
      expect(app.output()).not.toContain("worker taking jobs");
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ role: "web", queue: "not run by this process" });
    } finally {
      app.child.kill("SIGTERM");
    }
    expect(await app.exited).toBe(0);
  });

  it("ROLE=worker takes jobs and serves no HTTP; its heartbeat is recorded while it runs and removed when it stops", async () => {
    const port = await freePort();
    const app = startApp({ ROLE: "worker", DATABASE_URL: url, PORT: String(port) });
    const workers = async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<{ role: string; pid: number; version: string; concurrency: number }>("SELECT role, pid, version, concurrency FROM ai_workers")).rows;
      } finally {
        await client.end();
      }
    };
    try {
      await app.waitForOutput("worker taking jobs");
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
      // The first beat is written as the worker starts taking jobs.
      let seen = await workers();
      for (let tries = 0; seen.length === 0 && tries < 100; tries++) seen = await new Promise((resolve) => setTimeout(resolve, 50)).then(workers);
      const { version } = JSON.parse(await readFile(path.join(repoRoot, "package.json"), "utf8")) as { version: string };
      expect(seen).toEqual([{ role: "worker", pid: app.child.pid, version, concurrency: 5 }]);
    } finally {
      app.child.kill("SIGTERM");
    }
    expect(await app.exited).toBe(0);
    expect(await workers()).toEqual([]);
  });
});

describe("first start with nothing configured", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "ai-agent-first-start-"));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("opens the embedded database and serves the setup page that registers the app from app.yml", async () => {
    const port = await freePort();
    // NO_SMEE_SETUP keeps Probot's setup from reaching out for a webhook proxy channel.
    const app = startApp({ DATA_DIR: dataDir, PORT: String(port), NO_SMEE_SETUP: "true" }, repoRoot);
    try {
      // A fresh embedded database takes seconds to create, many more on a busy machine.
      await app.waitForOutput("Listening on", 90_000);
      expect(app.output()).toContain('"database":"pglite"');
      const home = await fetch(`http://127.0.0.1:${port}/`, { redirect: "manual" });
      expect(home.status).toBe(302);
      expect(home.headers.get("location")).toBe("/probot");
      const page = await (await fetch(`http://127.0.0.1:${port}/probot`)).text();
      expect(page).toContain("Register GitHub App");
      // The manifest posted to GitHub carries app.yml's permissions.
      expect(page).toContain("pull_requests");
    } finally {
      app.child.kill("SIGTERM");
    }
    expect(await app.exited).toBe(0);
  }, 150_000);
});
