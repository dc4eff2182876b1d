import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppProcess, freePort, startApp } from "../helpers/app-process.js";
import { type TestDatabase, freshPostgres } from "../helpers/databases.js";

const run = promisify(execFile);
const entry = fileURLToPath(new URL("../../src/web/container-health.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** The image's HEALTHCHECK command, run as the container runs it, in the app's folder. */
async function healthCheck(env: Record<string, string>, cwd = repoRoot): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, ["--import", "tsx", entry], { cwd, env: { PATH: process.env.PATH ?? "", ...env } });
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, out: failed.stdout };
  }
}

describe("the container health check", () => {
  let db: TestDatabase;
  let dir: string;
  let app: AppProcess | undefined;
  beforeAll(async () => {
    db = await freshPostgres();
    dir = await mkdtemp(path.join(tmpdir(), "ai-agent-health-"));
  });
  afterAll(async () => {
    if (app?.child.exitCode === null) app.child.kill("SIGKILL");
    await db?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("passes for a worker that reaches its database, and fails, saying so, for one that cannot", async () => {
    if (db.target.kind !== "postgres") throw new Error("expected PostgreSQL");
    expect(await healthCheck({ ROLE: "worker", DATABASE_URL: db.target.url })).toEqual({ code: 0, out: "healthy: worker: PostgreSQL answers\n" });
    const closed = await freePort();
    const down = await healthCheck({ ROLE: "worker", DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/none` });
    expect(down.code).toBe(1);
    expect(down.out).toMatch(/^unhealthy: .*ECONNREFUSED/);
  });

  it("asks /healthz of a process that serves HTTP: the setup page's, before the App is registered", { timeout: 60_000 }, async () => {
    const port = await freePort();
    expect((await healthCheck({ PORT: String(port) })).code).toBe(1);
    app = startApp({ DATA_DIR: path.join(dir, "data"), PORT: String(port), HOST: "127.0.0.1", NO_SMEE_SETUP: "true", NODE_ENV: "production" }, repoRoot);
    await app.waitForOutput("Listening on");
    expect(await healthCheck({ PORT: String(port), NODE_ENV: "production" })).toEqual({ code: 0, out: `healthy: http://127.0.0.1:${port}/healthz answered 200\n` });
  });
});
