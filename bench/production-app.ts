/**
 * The app as it is deployed, for the benchmarks that measure it so: `node lib/main.js` (built
 * first if stale) in a process of its own, against a GitHub of bare repositories served from a
 * folder (test/helpers/github-http.ts). Shared by bench:memory and bench:intake.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Builds lib/ when src/ is newer; a failed build ends the bench. */
export function buildIfStale(): void {
  const build = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts", "build-if-stale.ts")], { stdio: "inherit", cwd: ROOT });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

/** `root/<owner>/<repo>.git`: a bare repository of one commit on main holding `files` (by path), as GitHub would host it. */
export async function hostedRepository(root: string, owner: string, repo: string, files: Record<string, string>): Promise<void> {
  const seed = path.join(root, ".seed", owner, repo);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(seed, file)), { recursive: true });
    await writeFile(path.join(seed, file), text);
  }
  const git = (...args: string[]) => execFileSync("git", args, { stdio: process.env.BENCH_APP_LOG ? "inherit" : "ignore" });
  git("init", "-q", "-b", "main", seed);
  git("-C", seed, "add", ".");
  git("-C", seed, "-c", "user.name=Seed", "-c", "user.email=seed@example.com", "commit", "-q", "-m", "init");
  await mkdir(path.join(root, owner), { recursive: true });
  git("clone", "-q", "--bare", seed, path.join(root, owner, `${repo}.git`));
}

/**
 * Starts the production entry with exactly `env` (and PATH, HOME) and Node's `nodeArgs` before it,
 * and waits until it answers /healthz on 127.0.0.1 at env.PORT; returns the process and how long
 * that took. BENCH_APP_LOG=1 shows its output.
 */
export async function startProductionApp(env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<{ child: ChildProcess; startMs: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, "lib", "main.js")], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: process.env.BENCH_APP_LOG ? "inherit" : "ignore",
  });
  while (!(await fetch(`http://127.0.0.1:${env.PORT}/healthz`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode} before answering /healthz`);
    await sleep(25);
  }
  return { child, startMs: performance.now() - started };
}

/** Stops a process with SIGTERM and waits for it to exit; one already gone is no error. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => child.once("exit", resolve).kill("SIGTERM"));
}
