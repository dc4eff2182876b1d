import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { HostSandbox } from "../../src/sandbox/host.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { bubblewrap, reachableTempDir } from "../helpers/sandbox.js";

/**
 * One test per attack a repository's script or the model could try from a command. Each attack
 * runs in the real bubblewrap sandbox and must fail there; where it is safe to, the same attack
 * runs on the host backend first and must succeed, which shows the test would catch a missing
 * boundary rather than pass for another reason.
 */

const CANARY = `canary-${process.pid}-${Date.now()}`;
let root: string;
let dataDir: string;
let workspace: string;
let sandbox: Sandbox;
const host = new HostSandbox("deny");

const sh = (target: Sandbox, script: string, options: { timeoutMs?: number; workspace?: string } = {}) =>
  target.exec(["sh", "-c", script], { workspace: options.workspace ?? workspace, timeoutMs: options.timeoutMs ?? 10_000 });

function pids(pattern: string): string[] {
  try {
    return execFileSync("pgrep", ["-f", pattern], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

beforeAll(async () => {
  process.env.AI_AGENT_TEST_CANARY = CANARY;
  root = await reachableTempDir("ai-agent-attacks-");
  // The layout of DATA_DIR: another installation's clone beside this run's worktree.
  dataDir = path.join(root, "data");
  await mkdir(path.join(dataDir, "git/repos/other/secret.git"), { recursive: true });
  await writeFile(path.join(dataDir, "git/repos/other/secret.git/config"), `[core]\n\ttoken = ${CANARY}\n`);
  await writeFile(path.join(dataDir, ".env"), `PRIVATE_KEY=${CANARY}\n`);
  workspace = path.join(dataDir, "git/worktrees/run-1");
  await mkdir(workspace, { recursive: true });
  await writeFile(path.join(workspace, "README.md"), "hello\n");
  sandbox = await bubblewrap({ hidden: [process.cwd(), dataDir] });
  await sandbox.adopt(workspace);
});

afterAll(async () => {
  delete process.env.AI_AGENT_TEST_CANARY;
  await rm(root, { recursive: true, force: true });
});

describe("the sandbox holds against", () => {
  it("reading a host process's environment", async () => {
    // A stand-in for the app: a process started with a secret in its environment.
    const app = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { env: { PATH: process.env.PATH, APP_SECRET: CANARY }, stdio: "ignore" });
    await new Promise((resolve) => setTimeout(resolve, 200));
    onTestFinished(() => void app.kill("SIGKILL"));
    const steal = "cat /proc/$PPID/environ /proc/1/environ 2>/dev/null | tr '\\0' '\\n'; for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < $f; done 2>/dev/null";
    expect((await sh(host, steal)).stdout).toContain(CANARY);
    const inside = await sh(sandbox, steal);
    expect(inside.stdout + inside.stderr).not.toContain(CANARY);
    // It sees its own processes only.
    const ps = await sh(sandbox, "ls /proc | grep -E '^[0-9]+$' | wc -l");
    expect(Number(ps.stdout.trim())).toBeLessThan(6);
  });

  it("reading another repository's clone or DATA_DIR", async () => {
    const steal = `cat ../../repos/other/secret.git/config ${dataDir}/.env ${dataDir}/git/repos/other/secret.git/config 2>&1; ls -a .. 2>&1`;
    expect((await sh(host, steal)).stdout).toContain(CANARY);
    const inside = await sh(sandbox, steal);
    expect(inside.stdout + inside.stderr).not.toContain(CANARY);
    expect(inside.stdout).toMatch(/No such file or directory/);
  });

  it("reading the app's own folder and its .env", async () => {
    const appDir = process.cwd();
    const inside = await sh(sandbox, `ls ${appDir}/src 2>&1; cat ${appDir}/package.json 2>&1 | head -3`);
    expect(inside.stdout).not.toContain('"name": "ai-agent"');
    expect(inside.stdout).toMatch(/No such file or directory/);
  });

  it("writing outside the worktree", async () => {
    // New files only: an attack that got through must not damage the machine running the tests.
    const nonce = `${process.pid}-${Date.now()}`;
    const targets = [path.join(root, `escaped-${nonce}`), path.join(path.dirname(workspace), `escaped-${nonce}`), `/usr/escaped-${nonce}`, `/etc/escaped-${nonce}`];
    onTestFinished(() => Promise.all(targets.map((file) => rm(file, { force: true }))).then(() => undefined));
    await sh(host, `echo pwned > ${targets[0]}`);
    expect(existsSync(targets[0]!)).toBe(true);
    await rm(targets[0]!);
    const inside = await sh(sandbox, `for f in ${targets.join(" ")} ../escaped-${nonce}; do echo pwned > $f; done 2>&1; true`);
    for (const file of targets) expect(existsSync(file), file).toBe(false);
    expect(inside.stdout).toMatch(/Read-only file system|No such file or directory|Permission denied/);
    // The worktree itself is writable, and what is written there is the repository's.
    expect((await sh(sandbox, "echo made > made.txt && cat made.txt")).stdout).toBe("made\n");
    expect(await readFile(path.join(workspace, "made.txt"), "utf8")).toBe("made\n");
  });

  it("connecting to the app's port and the database's", async () => {
    const server: Server = createServer((_req, res) => res.end(CANARY));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const probe = `node -e "fetch('http://127.0.0.1:${port}/').then(r => r.text()).then(t => console.log(t), e => console.log('refused', e.cause?.code ?? e.message))"; node -e "require('net').connect(5432, '127.0.0.1').on('connect', () => { console.log('database reached'); process.exit(0) }).on('error', e => { console.log('database refused', e.code); process.exit(0) })"`;
      const outside = await sh(host, probe);
      expect(outside.stdout).toContain(CANARY);
      const inside = await sh(sandbox, probe);
      expect(inside.stdout).not.toContain(CANARY);
      expect(inside.stdout).toMatch(/refused ECONNREFUSED/);
      expect(inside.stdout).toMatch(/database refused/);
    } finally {
      server.close();
    }
  });

  it("network: refused to a command that asks while the server denies it; granted where it allows it", async () => {
    const server: Server = createServer((_req, res) => res.end("reached"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const fetchIt = ["node", "-e", `fetch('http://127.0.0.1:${port}/').then(r => r.text()).then(t => console.log(t), e => console.log('refused', e.cause?.code))`];
    try {
      await expect(sandbox.exec(fetchIt, { workspace, timeoutMs: 10_000, network: true })).rejects.toThrow(/SANDBOX_NETWORK=deny/);
      const open = await bubblewrap({ network: "allow" });
      expect((await open.exec(fetchIt, { workspace, timeoutMs: 10_000 })).stdout).toMatch(/refused ECONNREFUSED/);
      expect((await open.exec(fetchIt, { workspace, timeoutMs: 10_000, network: true })).stdout).toBe("reached\n");
    } finally {
      server.close();
    }
  });

  it("a fork bomb: it stays inside its process limit and the server keeps answering", async () => {
    const limited = await bubblewrap({ maxProcesses: 64 });
    const server: Server = createServer((_req, res) => res.end("alive"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const bomb = limited.exec(["bash", "-c", "bomb() { bomb | bomb & }; bomb; sleep 5"], { workspace, timeoutMs: 3_000 });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const answers = await Promise.all([fetch(url).then((r) => r.text()), fetch(url).then((r) => r.text())]);
      expect(answers).toEqual(["alive", "alive"]);
      // Never more than the limit: the uid's processes on this machine, counted while it runs.
      const count = Number(execFileSync("sh", ["-c", `ps -u ${limited.owner?.uid ?? process.getuid?.()} -L --no-headers | wc -l`], { encoding: "utf8" }).trim());
      // bwrap itself and processes being reaped are counted by ps too, hence the slack; unlimited, it would be thousands.
      if (limited.owner) expect(count).toBeLessThanOrEqual(2 * 64);
      const result = await bomb;
      expect(result.timedOut || result.exitCode !== 0).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(pids("bomb")).toEqual([]);
    } finally {
      server.close();
    }
  });

  it("a daemon left behind with setsid: gone when the command ends", async () => {
    const marker = `sleep ${600 + (process.pid % 100)}`;
    // The pause lets the daemon leave the command's process group before the command ends.
    const leave = `setsid ${marker} > /dev/null 2>&1 < /dev/null & sleep 0.5; echo left`;
    await sh(host, leave);
    try {
      // On the host it survives (setsid may take a moment to start it on a busy machine).
      await expect.poll(() => pids(marker).length, { timeout: 5_000 }).toBeGreaterThan(0);
    } finally {
      for (const pid of pids(marker)) process.kill(Number(pid), "SIGKILL");
    }
    const inside = await sh(sandbox, leave);
    expect(inside.stdout).toBe("left\n");
    expect(pids(marker)).toEqual([]);
  });

  it("a stray child holding the output pipe: the command still returns at its time limit", async () => {
    const started = Date.now();
    const result = await sh(sandbox, "(sleep 600 &) ; echo started; sleep 600", { timeoutMs: 1_000 });
    expect(result.timedOut).toBe(true);
    expect(result.stdout).toBe("started\n");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(pids("sleep 600")).toEqual([]);
  });

  it("a memory hog: killed at the memory limit", async () => {
    const small = await bubblewrap({ memoryBytes: 256 * 1024 * 1024 });
    const result = await small.exec(["node", "-e", "const kept = []; for (;;) kept.push(Buffer.alloc(1 << 20, 1))"], { workspace, timeoutMs: 30_000 });
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).not.toBe(0);
    expect(result.durationMs).toBeLessThan(20_000);
  });

  it("a CPU spinner: stopped at its CPU time", async () => {
    const spinner = sandbox.spawn(["sh", "-c", "while :; do :; done"], { workspace, cpuSeconds: 1 });
    const ended = await Promise.race([spinner.exited, new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 10_000))]);
    spinner.kill();
    expect(ended).not.toBe("still running");
    // bwrap reports its command's death by signal as 128 + the signal (SIGKILL at the hard limit).
    expect(ended).toEqual({ exitCode: 137 });
  });

  it("the environment: only the allow-list and the step's own variables", async () => {
    process.env.ANTHROPIC_API_KEY_FOR_TEST = CANARY;
    try {
      const result = await sandbox.exec(["env"], { workspace, timeoutMs: 5_000, env: { FOO: "bar" } });
      const names = result.stdout.trim().split("\n").map((line) => line.split("=")[0]).sort();
      // PWD is the working directory, which bwrap's --chdir announces.
      expect(names).toEqual(["CI", "FOO", "HOME", "LANG", "PATH", "PWD", "TMPDIR"]);
      expect(result.stdout).not.toContain(CANARY);
    } finally {
      delete process.env.ANTHROPIC_API_KEY_FOR_TEST;
    }
  });
});

describe("the sandbox runs real work", () => {
  it("a project's npm test, with its output and exit code", async () => {
    const project = path.join(dataDir, "git/worktrees/run-npm");
    await mkdir(project, { recursive: true });
    await writeFile(path.join(project, "package.json"), JSON.stringify({ name: "demo", version: "1.0.0", scripts: { test: "node test.js" } }));
    await writeFile(path.join(project, "test.js"), "const assert = require('node:assert');\nassert.strictEqual(1 + 1, 2);\nconsole.log('ok 1 - adds');\nif (process.env.FAIL) { console.error('not ok 2'); process.exit(1); }\n");
    await sandbox.adopt(project);
    const passed = await sandbox.exec(["npm", "test"], { workspace: project, timeoutMs: 60_000 });
    expect(passed.stderr).not.toMatch(/EACCES|EROFS/);
    expect(passed.exitCode).toBe(0);
    expect(passed.stdout).toContain("ok 1 - adds");
    const failed = await sandbox.exec(["npm", "test"], { workspace: project, timeoutMs: 60_000, env: { FAIL: "1" } });
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain("not ok 2");
  });

  it("a working directory inside the workspace, and none outside it", async () => {
    await mkdir(path.join(workspace, "sub"), { recursive: true });
    await sandbox.adopt(workspace);
    expect((await sandbox.exec(["pwd"], { workspace, cwd: "sub", timeoutMs: 5_000 })).stdout).toBe("/repo/sub\n");
    expect((await sandbox.exec(["pwd"], { workspace, cwd: "/repo/sub", timeoutMs: 5_000 })).stdout).toBe("/repo/sub\n");
    await expect(sandbox.exec(["pwd"], { workspace, cwd: "../..", timeoutMs: 5_000 })).rejects.toThrow(/outside the workspace/);
  });
});
