/**
 * The worktree pool against real repositories in temp dirs: what one run leaves is gone for the
 * next, two runs never share a worktree, the bounds (per repository, and by disk across them)
 * evict the least recently used, and a worktree left by a crash or broken is never handed out as
 * it is.
 */
import { execFile } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { diskUsage } from "../../src/workspace/disk-usage.js";
import { type PrepareOptions, WorkspaceManager, type WorkspaceLog } from "../../src/workspace/workspace.js";

const run = promisify(execFile);
const IDENTITY = { GIT_AUTHOR_NAME: "Seed", GIT_AUTHOR_EMAIL: "seed@example.com", GIT_COMMITTER_NAME: "Seed", GIT_COMMITTER_EMAIL: "seed@example.com" };
const author = { name: "AI Agent", email: "agent@example.com" };

let root: string;
let cacheDir: string;

async function git(cwd: string, ...args: string[]): Promise<string> {
  const env = { PATH: process.env.PATH, HOME: root, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", ...IDENTITY };
  return (await run("git", args, { cwd, env })).stdout.trim();
}

/** A bare remote named `name` with one commit of `files`; its path. */
async function remoteWith(name: string, files: Record<string, string>): Promise<string> {
  const remote = path.join(root, `${name}.git`);
  const seed = path.join(root, `${name}-seed`);
  await git(root, "init", "--quiet", "--bare", "-b", "main", remote);
  await git(remote, "config", "uploadpack.allowFilter", "true");
  await git(root, "init", "--quiet", "-b", "main", seed);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(seed, file)), { recursive: true });
    await writeFile(path.join(seed, file), content);
  }
  await git(seed, "add", "--all");
  await git(seed, "commit", "--quiet", "-m", "first");
  await git(seed, "push", "--quiet", remote, "main");
  return remote;
}

const FILES = { "README.md": "# Widgets\n", ".gitignore": "*.log\nbuild/\n", "src/a.txt": "a1\n", "src/run.sh": "echo hi\n" };
let widgets: string;
const options = (overrides: Partial<PrepareOptions> = {}): PrepareOptions => ({
  repo: "acme/widgets",
  remoteUrl: widgets,
  baseBranch: "main",
  branch: "ai/1-fix",
  runId: "run-1",
  ...overrides,
});
const recorder = () => {
  const lines: string[] = [];
  const log: WorkspaceLog = { warn: (_obj, msg) => void lines.push(msg) };
  return { lines, log };
};
const clone = (repo = "acme/widgets") => path.join(cacheDir, "repos", `${repo}.git`);
const worktrees = async (repo = "acme/widgets") =>
  (await git(clone(repo), "worktree", "list", "--porcelain"))
    .split("\n")
    .filter((line) => line.startsWith("worktree ") && !line.endsWith(".git"))
    .map((line) => line.slice("worktree ".length));

beforeEach(async () => {
  root = realpathSync(await mkdtemp(path.join(tmpdir(), "ai-agent-pool-")));
  cacheDir = path.join(root, "cache");
  widgets = await remoteWith("widgets", FILES);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("a kept worktree", () => {
  it("is handed to the next run with nothing of the last: untracked, ignored, changed, removed and nested-repository files", async () => {
    const manager = new WorkspaceManager({ cacheDir });
    const first = await manager.prepare(options());
    const tracked = path.join(first.dir, "src/a.txt");
    const before = await stat(tracked);
    await writeFile(path.join(first.dir, "notes.txt"), "untracked\n");
    await mkdir(path.join(first.dir, "build/out"), { recursive: true });
    await writeFile(path.join(first.dir, "build/out/bundle.js"), "ignored\n");
    await writeFile(path.join(first.dir, "debug.log"), "ignored\n");
    // Changed to the same length with its times set back: only its change time gives it away.
    await writeFile(tracked, "A1\n");
    await utimes(tracked, before.atime, before.mtime);
    await chmod(path.join(first.dir, "src/run.sh"), 0o755);
    await rm(path.join(first.dir, "README.md"));
    await first.commit("A commit of the first run", author);
    await writeFile(path.join(first.dir, "after-commit.txt"), "untracked\n");
    await mkdir(path.join(first.dir, "vendor/lib"), { recursive: true });
    await git(path.join(first.dir, "vendor/lib"), "init", "--quiet");
    // The run never gives it back as it should: the sandbox writes on after the emptying.
    await first.dispose();
    await writeFile(path.join(first.dir, "late.txt"), "written after the run ended\n");

    const second = await manager.prepare(options({ runId: "run-2", branch: "ai/2-other" }));
    expect(second.dir).toBe(first.dir); // the same worktree, reused
    const files = (await readdir(second.dir, { recursive: true })).filter((f) => f !== ".git").sort();
    expect(files).toEqual(["README.md", ".gitignore", "src", "src/a.txt", "src/run.sh"].sort());
    expect(await readFile(path.join(second.dir, "src/a.txt"), "utf8")).toBe("a1\n");
    expect((await stat(path.join(second.dir, "src/run.sh"))).mode & 0o111).toBe(0);
    expect(await second.changedFiles()).toEqual([]);
    expect(await second.commits()).toEqual([]);
    expect(await git(second.dir, "rev-parse", "HEAD")).toBe(await git(widgets, "rev-parse", "main"));
    expect(await git(second.dir, "symbolic-ref", "HEAD")).toBe("refs/heads/ai/2-other");
  });

  it("is reset before reuse after a crash left it dirty and on its branch, in a process that starts afresh", async () => {
    const first = await new WorkspaceManager({ cacheDir }).prepare(options());
    await writeFile(path.join(first.dir, "src/a.txt"), "half-done\n");
    await writeFile(path.join(first.dir, "debug.log"), "ignored\n");
    // The process dies here: no dispose. A new process knows nothing of it but the disk.
    vi.resetModules();
    const fresh = await import("../../src/workspace/workspace.js");
    const second = await new fresh.WorkspaceManager({ cacheDir }).prepare(options({ runId: "run-2" }));
    expect(second.dir).toBe(first.dir);
    expect(await readFile(path.join(second.dir, "src/a.txt"), "utf8")).toBe("a1\n");
    expect(existsSync(path.join(second.dir, "debug.log"))).toBe(false);
    expect(await second.changedFiles()).toEqual([]);
  });

  it("whose .git was pointed elsewhere is removed, said in the log, and a new one made", async () => {
    const { lines, log } = recorder();
    const manager = new WorkspaceManager({ cacheDir, log });
    const first = await manager.prepare(options());
    await first.dispose();
    const elsewhere = path.join(root, "elsewhere");
    await git(root, "init", "--quiet", elsewhere);
    await writeFile(path.join(first.dir, ".git"), `gitdir: ${path.join(elsewhere, ".git")}\n`);

    const second = await manager.prepare(options({ runId: "run-2" }));
    expect(lines).toEqual(["A kept worktree of acme/widgets could not be reset; removing it and using another"]);
    expect(await readFile(path.join(second.dir, ".git"), "utf8")).toContain(path.join(clone(), "worktrees"));
    expect(await readFile(path.join(second.dir, "src/a.txt"), "utf8")).toBe("a1\n");
    expect(await git(elsewhere, "status", "--porcelain")).toBe(""); // the app's git never ran there
    expect(await worktrees()).toEqual([second.dir]);
  });

  it("that git cannot reset (its administrative directory gone) is replaced", async () => {
    const { lines, log } = recorder();
    const manager = new WorkspaceManager({ cacheDir, log });
    const first = await manager.prepare(options());
    await first.dispose();
    await rm(path.join(clone(), "worktrees", path.basename(first.dir)), { recursive: true });

    const second = await manager.prepare(options({ runId: "run-2" }));
    expect(lines).toEqual(["A kept worktree of acme/widgets could not be reset; removing it and using another"]);
    expect(await second.changedFiles()).toEqual([]);
    expect(await readFile(path.join(second.dir, "README.md"), "utf8")).toBe("# Widgets\n");
  });
});

describe("the pool", () => {
  it("never hands one worktree to two runs at once, and keeps both afterwards", async () => {
    const manager = new WorkspaceManager({ cacheDir, pool: { perRepo: 2, maxBytes: 1024 ** 3 } });
    await (await manager.prepare(options())).dispose(); // one worktree kept
    const [a, b] = await Promise.all([manager.prepare(options({ runId: "run-a", branch: "ai/a" })), manager.prepare(options({ runId: "run-b", branch: "ai/b" }))]);
    expect(a.dir).not.toBe(b.dir);
    await writeFile(path.join(a.dir, "only-a.txt"), "a\n");
    expect(existsSync(path.join(b.dir, "only-a.txt"))).toBe(false);
    await Promise.all([a.dispose(), b.dispose()]);
    expect((await worktrees()).sort()).toEqual([a.dir, b.dir].sort());
  });

  it("gives a worktree taken for a set-up that failed back as it stood, to the next run", async () => {
    const manager = new WorkspaceManager({ cacheDir, pool: { perRepo: 2, maxBytes: 1024 ** 3 } });
    const [a, b] = await Promise.all([manager.prepare(options({ runId: "run-a", branch: "ai/a" })), manager.prepare(options({ runId: "run-b", branch: "ai/b" }))]);
    await a.dispose();
    await b.dispose(); // b, the most recently given back, is the next one taken
    await writeFile(path.join(b.dir, "late.txt"), "written after the run ended\n");
    const failed = await manager.prepare(options({ runId: "run-c", remoteUrl: path.join(root, "missing.git") })).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);
    expect((await worktrees()).sort()).toEqual([a.dir, b.dir].sort());

    const next = await manager.prepare(options({ runId: "run-d" }));
    expect(next.dir).toBe(b.dir);
    expect(existsSync(path.join(next.dir, "late.txt"))).toBe(false);
    expect(await next.changedFiles()).toEqual([]);
  });

  it("keeps at most perRepo worktrees of a repository, removing the least recently given back", async () => {
    const manager = new WorkspaceManager({ cacheDir, pool: { perRepo: 2, maxBytes: 1024 ** 3 } });
    const taken = await Promise.all(["a", "b", "c"].map((n) => manager.prepare(options({ runId: `run-${n}`, branch: `ai/${n}` }))));
    const [a, b, c] = taken.map((ws) => ws.dir);
    for (const ws of taken) await ws.dispose(); // a first: the least recently used
    expect(existsSync(a ?? "")).toBe(false);
    expect((await worktrees()).sort()).toEqual([b, c].sort());
    // The most recently given back is the next one handed out.
    expect((await manager.prepare(options({ runId: "run-d" }))).dir).toBe(c);
  });

  it("keeps the idle worktrees of all repositories within maxBytes, removing the least recently used of any", async () => {
    const gadgets = await remoteWith("gadgets", FILES);
    const probe = new WorkspaceManager({ cacheDir: path.join(root, "probe") });
    const sized = await probe.prepare(options());
    const oneWorktree = await diskUsage(sized.dir);
    // Room for two kept worktrees, not three.
    const manager = new WorkspaceManager({ cacheDir, pool: { perRepo: 2, maxBytes: Math.floor(oneWorktree * 2.5) } });
    const w1 = await manager.prepare(options());
    const g1 = await manager.prepare(options({ repo: "acme/gadgets", remoteUrl: gadgets, runId: "run-g" }));
    const w2 = await manager.prepare(options({ runId: "run-2", branch: "ai/2" }));
    await w1.dispose();
    await g1.dispose();
    expect([existsSync(w1.dir), existsSync(g1.dir)]).toEqual([true, true]); // two fit
    await w2.dispose(); // the third: w1, the oldest, goes although its repository has room
    expect(existsSync(w1.dir)).toBe(false);
    expect(await worktrees()).toEqual([w2.dir]);
    expect(await worktrees("acme/gadgets")).toEqual([g1.dir]);
  });

  it("removes a worktree that alone takes more than maxBytes when it is given back", async () => {
    const manager = new WorkspaceManager({ cacheDir, pool: { perRepo: 2, maxBytes: 1 } });
    const ws = await manager.prepare(options());
    await ws.dispose();
    expect(existsSync(ws.dir)).toBe(false);
    expect(await worktrees()).toEqual([]);
  });

  it("adopts the worktrees an earlier process kept, within the bounds of the new one", async () => {
    const manager = new WorkspaceManager({ cacheDir, pool: { perRepo: 2, maxBytes: 1024 ** 3 } });
    const taken = await Promise.all(["a", "b"].map((n) => manager.prepare(options({ runId: `run-${n}`, branch: `ai/${n}` }))));
    for (const ws of taken) await ws.dispose();
    const [older, newer] = taken.map((ws) => ws.dir);
    await utimes(older ?? "", new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));

    vi.resetModules();
    const fresh = await import("../../src/workspace/workspace.js");
    const ws = await new fresh.WorkspaceManager({ cacheDir, pool: { perRepo: 1, maxBytes: 1024 ** 3 } }).prepare(options({ runId: "run-c" }));
    expect(ws.dir).toBe(newer);
    expect(existsSync(older ?? "")).toBe(false);
  });
});

describe("disk usage", () => {
  it("counts what lies under a directory and follows no symbolic link", async () => {
    const dir = path.join(root, "measured");
    await mkdir(dir);
    await writeFile(path.join(dir, "big"), Buffer.alloc(1024 * 1024, 1));
    await symlink("/", path.join(dir, "root"));
    const bytes = await diskUsage(dir);
    expect(bytes).toBeGreaterThanOrEqual(1024 * 1024);
    expect(bytes).toBeLessThan(1024 * 1024 + 64 * 1024);
  });
});
