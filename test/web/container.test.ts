import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatePrivateKey } from "../helpers/keys.js";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/**
 * The image's first run: it builds, starts with nothing configured (setup mode, NODE_ENV=production
 * as the image sets it), reports healthy, lets the setup page write the App's credentials into its
 * config volume, and comes back registered after a restart. Needs a Docker daemon: it runs where
 * `docker info` succeeds (the CI workflow's docker job, which sets REQUIRE_DOCKER=1 so that a
 * missing daemon fails there instead of skipping), and is skipped elsewhere.
 */
const dockerAvailable = spawnSync("docker", ["info"], { stdio: "ignore" }).status === 0;
const required = process.env.REQUIRE_DOCKER === "1";

it.runIf(required && !dockerAvailable)("a Docker daemon answers `docker info` (REQUIRE_DOCKER=1)", () => {
  expect(dockerAvailable).toBe(true);
});

describe.runIf(dockerAvailable)("the container image's first run (runs only where `docker info` succeeds)", () => {
  const id = randomBytes(4).toString("hex");
  const image = `ai-agent:first-run-${id}`;
  const container = `ai-agent-first-run-${id}`;
  const volume = `ai-agent-first-run-config-${id}`;
  let base = "";
  const docker = (...args: string[]) => run("docker", args, { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });

  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; logs:\n${(await docker("logs", container).catch(() => ({ stdout: "" }))).stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  beforeAll(async () => {
    await docker("build", "-t", image, ".");
    await docker("volume", "create", volume);
    await docker(
      "run", "-d", "--name", container, "-p", "127.0.0.1::3000", "-v", `${volume}:/app/config`,
      // No proxy channel from smee.io in a test; health checks every second, not every 30.
      "-e", "NO_SMEE_SETUP=true", "--health-interval=1s", "--health-start-period=30s",
      image,
    );
    const { stdout } = await docker("port", container, "3000/tcp");
    base = `http://${stdout.trim().split("\n")[0]}`;
  }, 900_000);

  afterAll(async () => {
    await docker("rm", "-f", container).catch(() => undefined);
    await docker("volume", "rm", "-f", volume).catch(() => undefined);
    await docker("rmi", "-f", image).catch(() => undefined);
  }, 60_000);

  it("answers /healthz in setup mode, and Docker reports it healthy", async () => {
    const health = await waitFor("/healthz", async () => {
      const res = await fetch(`${base}/healthz`);
      return res.ok ? await res.json() : undefined;
    });
    expect(health).toMatchObject({ status: "ok", role: "all" });
    await waitFor("a healthy container", async () => {
      const { stdout } = await docker("inspect", "--format", "{{.State.Health.Status}}", container);
      return stdout.trim() === "healthy" ? true : undefined;
    });
  }, 120_000);

  it("writes the credentials the setup page takes into the config volume, and runs registered after a restart", async () => {
    const logs = (await docker("logs", container)).stdout;
    const token = /\/probot\?token=([\w-]+)/.exec(logs)?.[1];
    expect(token).toBeDefined();
    expect((await fetch(`${base}/probot/import`, { method: "POST", body: "appId=1" })).status).toBe(403);
    const form = new URLSearchParams({ appId: "31337", pem: generatePrivateKey(), webhook_secret: "container-test-secret" });
    const saved = await fetch(`${base}/probot/import?token=${token}`, { method: "POST", body: form });
    expect(saved.status).toBe(200);
    const { stdout: env } = await docker("exec", container, "cat", "/app/config/.env");
    expect(env).toContain("APP_ID=31337\n");
    expect(env).toContain("WEBHOOK_SECRET=container-test-secret\n");

    await docker("restart", container);
    const { stdout } = await docker("port", container, "3000/tcp");
    base = `http://${stdout.trim().split("\n")[0]}`;
    await waitFor("/healthz after the restart", async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined));
    // Registered: no setup page any more.
    expect((await fetch(`${base}/probot`)).status).toBe(404);
  }, 120_000);
});
