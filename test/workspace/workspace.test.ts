/**
 * The git workspace manager against real repositories in temp dirs: a bare "remote" with a few
 * commits, partial clones into a cache, worktrees per run, commits, pushes, retries, and the
 * installation token's path (an HTTP header only, never on disk or in an error).
 */
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, realpathSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { explainGitFailure, hideAddresses } from "../../src/workspace/git-failure.js";
import { gitEnv, redact } from "../../src/workspace/git.js";
import { GitError, GitFailed, type PrepareOptions, WorkspaceManager, type WorkspaceLog } from "../../src/workspace/workspace.js";
import { UserFacingError } from "../../src/core/errors.js";

const run = promisify(execFile);
const IDENTITY = { GIT_AUTHOR_NAME: "Seed", GIT_AUTHOR_EMAIL: "seed@example.com", GIT_COMMITTER_NAME: "Seed", GIT_COMMITTER_EMAIL: "seed@example.com" };

let root: string;
let cacheDir: string;
let remote: string;
let seed: string;

/** Runs git for the test's own set-up, with a fixed identity and no machine config. */
async function git(cwd: string, ...args: string[]): Promise<string> {
  const env = { PATH: process.env.PATH, HOME: root, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", ...IDENTITY };
  const { stdout } = await run("git", args, { cwd, env });
  return stdout.trim();
}

/** Commits `files` in the seed clone and pushes main to the remote; returns the new head. */
async function pushToRemote(message: string, files: Record<string, string>): Promise<string> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(seed, name)), { recursive: true });
    await writeFile(path.join(seed, name), content);
  }
  await git(seed, "add", "--all");
  await git(seed, "commit", "--quiet", "-m", message);
  await git(seed, "push", "--quiet", "origin", "main");
  return git(seed, "rev-parse", "HEAD");
}

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

async function filesContaining(dir: string, needles: string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const file of await filesUnder(dir)) {
    const text = (await readFile(file)).toString("latin1");
    if (needles.some((needle) => text.includes(needle))) hits.push(file);
  }
  return hits;
}

const base64 = (token: string) => Buffer.from(`x-access-token:${token}`).toString("base64");
const options = (overrides: Partial<PrepareOptions> = {}): PrepareOptions => ({
  repo: "acme/widgets",
  remoteUrl: remote,
  baseBranch: "main",
  branch: "ai/1-fix-typo",
  runId: "run-1",
  ...overrides,
});

beforeEach(async () => {
  root = realpathSync(await mkdtemp(path.join(tmpdir(), "ai-agent-workspace-")));
  cacheDir = path.join(root, "cache");
  remote = path.join(root, "remote.git");
  seed = path.join(root, "seed");
  await git(root, "init", "--quiet", "--bare", "-b", "main", remote);
  await git(remote, "config", "uploadpack.allowFilter", "true");
  await git(root, "init", "--quiet", "-b", "main", seed);
  await git(seed, "remote", "add", "origin", remote);
  await pushToRemote("first", { "README.md": "# Widgets\n", ".gitignore": "*.log\n", "src/a.txt": "a1\n" });
  await pushToRemote("second", { "src/a.txt": "a2\n", "src/b.txt": "b1\n" });
  await pushToRemote("third", { "src/b.txt": "b2\n" });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("WorkspaceManager", () => {
  it("partially clones on the first run and checks out the base branch", async () => {
    const manager = new WorkspaceManager({ cacheDir });
    const ws = await manager.prepare(options());
    const cache = path.join(cacheDir, "repos/acme/widgets.git");
    expect(await git(cache, "config", "remote.origin.partialclonefilter")).toBe("blob:none");
    expect(await git(cache, "config", "remote.origin.promisor")).toBe("true");
    // Blobs of older commits were never fetched.
    expect(await git(cache, "rev-list", "--objects", "--all", "--missing=print")).toMatch(/^\?[0-9a-f]{40}$/m);
    expect(ws.dir).toBe(path.join(realpathSync(cacheDir), "pool/acme/widgets/1"));
    expect(await readFile(path.join(ws.dir, "src/b.txt"), "utf8")).toBe("b2\n");
    expect(ws.reusedBranch).toBe(false);
    expect(ws.branch).toBe("ai/1-fix-typo");
    expect(ws.baseSha).toBe(await git(remote, "rev-parse", "refs/heads/main"));
    expect(await git(ws.dir, "symbolic-ref", "HEAD")).toBe("refs/heads/ai/1-fix-typo");
    expect(await ws.commits()).toEqual([]);
  });

  it("fetches instead of cloning on later runs", async () => {
    const manager = new WorkspaceManager({ cacheDir });
    await manager.prepare(options());
    const cache = path.join(cacheDir, "repos/acme/widgets.git");
    await writeFile(path.join(cache, "marker"), "still here");
    const { ino } = await stat(cache);
    const head = await pushToRemote("fourth", { "src/c.txt": "c1\n" });

    const second = await new WorkspaceManager({ cacheDir }).prepare(options({ runId: "run-2", branch: "ai/2-other" }));
    expect(await readFile(path.join(cache, "marker"), "utf8")).toBe("still here");
    expect((await stat(cache)).ino).toBe(ino);
    expect(second.baseSha).toBe(head);
    expect(await readFile(path.join(second.dir, "src/c.txt"), "utf8")).toBe("c1\n");
  });

  it("writes the clone's configuration afresh at every set-up: what got into it since is gone", async () => {
    const manager = new WorkspaceManager({ cacheDir });
    await (await manager.prepare(options())).dispose();
    const cache = path.join(cacheDir, "repos/acme/widgets.git");
    const written = await readFile(path.join(cache, "config"), "utf8");
    await git(cache, "config", "core.fsmonitor", "touch /tmp/pwned");
    await git(cache, "config", "remote.origin.url", "https://elsewhere.example/x.git");
    await mkdir(path.join(cache, "hooks"), { recursive: true });
    await writeFile(path.join(cache, "hooks/post-checkout"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    await writeFile(path.join(cache, "info/attributes"), "* filter=evil\n");

    const head = await pushToRemote("fourth", { "src/c.txt": "c1\n" });
    const second = await manager.prepare(options({ runId: "run-2", branch: "ai/2-other" }));
    expect(second.baseSha).toBe(head);
    expect(await readFile(path.join(cache, "config"), "utf8")).toBe(written);
    expect(existsSync(path.join(cache, "hooks"))).toBe(false);
    expect(existsSync(path.join(cache, "info/attributes"))).toBe(false);
  });

  it("starts from the commit of a remote branch that points at an annotated tag (which git's own commands refuse to write), as rev-parse peels it", async () => {
    const tagged = await git(remote, "rev-parse", "main~1");
    await git(seed, "tag", "-a", "-m", "A release", "v1", tagged);
    await git(seed, "push", "--quiet", "origin", "v1");
    await mkdir(path.join(remote, "refs/heads/ai"), { recursive: true });
    await writeFile(path.join(remote, "refs/heads/ai/1-fix-typo"), `${await git(seed, "rev-parse", "v1")}\n`);
    const ws = await new WorkspaceManager({ cacheDir }).prepare(options());
    expect(ws.reusedBranch).toBe(true);
    expect(ws.baseSha).toBe(tagged);
    expect(await git(ws.dir, "rev-parse", "HEAD")).toBe(tagged);
  });

  it("lists changed files and commits them with the given message and author", async () => {
    const ws = await new WorkspaceManager({ cacheDir }).prepare(options());
    await writeFile(path.join(ws.dir, "README.md"), "# Widgets, fixed\n");
    await mkdir(path.join(ws.dir, "notes"));
    await writeFile(path.join(ws.dir, "notes/new.txt"), "new\n");
    await writeFile(path.join(ws.dir, "debug.log"), "ignored\n");
    expect(await ws.changedFiles()).toEqual(["README.md", "notes/new.txt"]);

    const message = "Fix the typo\n\n#12 was a typo in the title.\n\nCo-authored-by: Alice <alice@example.com>";
    const sha = await ws.commit(message, { name: "AI Agent", email: "agent@example.com" });
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await git(ws.dir, "log", "-1", "--format=%B")).toBe(message);
    expect(await git(ws.dir, "log", "-1", "--format=%an <%ae> / %cn <%ce>")).toBe("AI Agent <agent@example.com> / AI Agent <agent@example.com>");
    expect(await git(ws.dir, "show", "--name-only", "--format=", "HEAD")).toBe("README.md\nnotes/new.txt");
    expect(await ws.changedFiles()).toEqual([]); // debug.log stays ignored
    expect(await ws.commit("Nothing", { name: "AI Agent", email: "agent@example.com" })).toBeUndefined();
    expect(await ws.commits()).toEqual([{ sha, subject: "Fix the typo" }]);
  });

  it("pushes the branch and reuses it on a retry", async () => {
    const manager = new WorkspaceManager({ cacheDir });
    const first = await manager.prepare(options());
    await writeFile(path.join(first.dir, "src/a.txt"), "a3\n");
    const sha = await first.commit("Change a", { name: "AI Agent", email: "agent@example.com" });
    expect(await first.push()).toBe(sha);
    expect(await git(root, "--git-dir", remote, "rev-parse", "refs/heads/ai/1-fix-typo")).toBe(sha);
    await first.dispose();

    const retry = await manager.prepare(options({ runId: "run-1-retry" }));
    expect(retry.reusedBranch).toBe(true);
    expect(retry.baseSha).toBe(sha);
    expect(await readFile(path.join(retry.dir, "src/a.txt"), "utf8")).toBe("a3\n");
    await writeFile(path.join(retry.dir, "src/b.txt"), "b3\n");
    const second = await retry.commit("Change b", { name: "AI Agent", email: "agent@example.com" });
    expect((await retry.commits()).map((c) => c.subject)).toEqual(["Change a", "Change b"]);
    expect(await retry.push()).toBe(second);
    expect(await git(root, "--git-dir", remote, "rev-parse", "refs/heads/ai/1-fix-typo")).toBe(second);
  });

  it.each([401, 403])("sends the token only as an Authorization header (server answers %i)", async (status) => {
    const token = "ghs_secret_token_123";
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(status, { "www-authenticate": 'Basic realm="GitHub"' }).end("no");
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const { port } = server.address() as AddressInfo;
      const manager = new WorkspaceManager({ cacheDir });
      const error = await manager.prepare(options({ remoteUrl: `http://127.0.0.1:${port}/owner/repo.git`, token })).catch((e: unknown) => e);
      // The person who triggered the run reads plain words; the server log gets git's own error.
      expect(error).toBeInstanceOf(GitFailed);
      expect((error as Error).message).toBe("Fetching acme/widgets from its repository failed: the repository refused the app's credentials.");
      const cause = (error as Error).cause;
      expect(cause).toBeInstanceOf(GitError);
      const message = (cause as GitError).message;
      expect(message).toContain("git clone");
      for (const text of [message, (error as Error).message]) {
        expect(text).not.toContain(token);
        expect(text).not.toContain(base64(token));
      }
      expect(seen[0]).toBe(`Basic ${base64(token)}`);
      expect(await filesContaining(cacheDir, [token, base64(token)])).toEqual([]);
    } finally {
      server.close();
    }
  });

  it("tells a refused push in plain words, without the remote's address or the server's paths", async () => {
    const ws = await new WorkspaceManager({ cacheDir }).prepare(options());
    // The app's git runs no hook of its own clone; the remote's are the remote's business.
    await writeFile(path.join(remote, "hooks/pre-receive"), "#!/bin/sh\necho \"policy: no pushes to $PWD today\" >&2\nexit 1\n", { mode: 0o755 });
    await writeFile(path.join(ws.dir, "README.md"), "changed\n");
    await ws.commit("Change", { name: "AI Agent", email: "agent@example.com" });
    const error = await ws.push().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toBe("Pushing the branch ai/1-fix-typo to acme/widgets failed: the repository refused the push (pre-receive hook declined); it said: policy: no pushes to <remote> today.");
    expect((error as Error).message).not.toContain(root);
    expect(((error as Error).cause as GitError).message).toContain(remote); // the log keeps the whole story
  });

  it("tells a remote that is not there in plain words", async () => {
    const error = await new WorkspaceManager({ cacheDir }).prepare(options({ remoteUrl: path.join(root, "missing.git") })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toBe("Fetching acme/widgets from its repository failed: the repository was not found at its address.");
    await expect(new WorkspaceManager({ cacheDir }).prepare(options({ baseBranch: "trunk" }))).rejects.toThrow(new UserFacingError("The repository acme/widgets has no branch trunk to start from."));
  });

  it("keeps the token out of every file after a successful run", async () => {
    const token = "ghs_local_token_456";
    const ws = await new WorkspaceManager({ cacheDir }).prepare(options({ remoteUrl: `file://${remote}`, token }));
    await writeFile(path.join(ws.dir, "README.md"), "changed\n");
    await ws.commit("Change", { name: "AI Agent", email: "agent@example.com" });
    await ws.push();
    const config = await readFile(path.join(cacheDir, "repos/acme/widgets.git/config"), "utf8");
    expect(config).not.toContain(token);
    expect(await readFile(path.join(ws.dir, ".git"), "utf8")).not.toContain(token);
    expect(await filesContaining(cacheDir, [token, base64(token)])).toEqual([]);
  });

  it("gives a worktree back, twice if need be, and the run id can be used again", async () => {
    const manager = new WorkspaceManager({ cacheDir });
    const ws = await manager.prepare(options());
    const cache = path.join(cacheDir, "repos/acme/widgets.git");
    expect(await git(cache, "worktree", "list")).toContain(ws.dir);
    await ws.dispose();
    // Kept for the next run, off the run's branch, which is deleted.
    expect(await git(cache, "worktree", "list", "--porcelain")).toContain(`worktree ${ws.dir}\nHEAD ${await git(remote, "rev-parse", "main")}\ndetached`);
    expect(await git(cache, "branch", "--list", "ai/1-fix-typo")).toBe("");
    await ws.dispose();
    const again = await manager.prepare(options());
    expect(again.dir).toBe(ws.dir);
    expect(existsSync(path.join(again.dir, "README.md"))).toBe(true);
  });

  it("removes a worktree at the end of its run when the pool keeps none", async () => {
    const manager = new WorkspaceManager({ cacheDir, pool: { perRepo: 0, maxBytes: 1024 ** 3 } });
    const ws = await manager.prepare(options());
    await ws.dispose();
    expect(existsSync(ws.dir)).toBe(false);
    expect(await git(path.join(cacheDir, "repos/acme/widgets.git"), "worktree", "list")).not.toContain(ws.dir);
  });

  it("serialises concurrent prepares of one repository", async () => {
    const manager = new WorkspaceManager({ cacheDir });
    const [a, b] = await Promise.all([
      manager.prepare(options({ runId: "run-a", branch: "ai/a" })),
      manager.prepare(options({ runId: "run-b", branch: "ai/b" })),
    ]);
    expect(await readFile(path.join(a.dir, "src/b.txt"), "utf8")).toBe("b2\n");
    expect(await readFile(path.join(b.dir, "src/b.txt"), "utf8")).toBe("b2\n");
    expect(await readdir(path.join(cacheDir, "repos/acme"))).toEqual(["widgets.git"]);
  });

  it("refuses a branch or run id that a live workspace holds, and clears one a crash left", async () => {
    const manager = new WorkspaceManager({ cacheDir });
    const ws = await manager.prepare(options());
    await expect(manager.prepare(options())).rejects.toThrow(/already has a workspace/);
    await expect(manager.prepare(options({ runId: "run-2" }))).rejects.toThrow(/in use/);
    await ws.dispose();
    // A crashed process leaves its worktree registered and its directory in place.
    const cache = path.join(cacheDir, "repos/acme/widgets.git");
    await git(cache, "worktree", "add", "--quiet", "-b", "ai/1-fix-typo", path.join(cacheDir, "worktrees/crashed"), "refs/remotes/origin/main");
    const after = await manager.prepare(options({ runId: "run-3" }));
    expect(after.branch).toBe("ai/1-fix-typo");
    expect(existsSync(path.join(cacheDir, "worktrees/crashed"))).toBe(false);
  });

  it("rejects names that could escape the cache and remotes that carry credentials", async () => {
    const manager = new WorkspaceManager({ cacheDir });
    await expect(manager.prepare(options({ repo: "../etc" }))).rejects.toThrow(/Invalid repository/);
    await expect(manager.prepare(options({ runId: "../x" }))).rejects.toThrow(/Invalid run id/);
    await expect(manager.prepare(options({ branch: "-x" }))).rejects.toThrow(/Invalid branch/);
    await expect(manager.prepare(options({ remoteUrl: "https://user:pw@example.com/a/b.git" }))).rejects.toThrow(/credentials/);
  });
});

describe("WorkspaceManager after a killed git", () => {
  const cache = () => path.join(cacheDir, "repos/acme/widgets.git");
  const author = { name: "AI Agent", email: "agent@example.com" };
  const recorder = () => {
    const lines: string[] = [];
    const log: WorkspaceLog = { warn: (_obj, msg) => void lines.push(msg) };
    return { lines, log };
  };

  /** A first run that pushed its branch and finished; then the remote's branch moves on, as a reviewer's push would. */
  async function pushedBranchThatMovedOn(manager: WorkspaceManager): Promise<string> {
    await git(seed, "push", "--quiet", "origin", "main:ai/gone");
    const first = await manager.prepare(options());
    await writeFile(path.join(first.dir, "src/a.txt"), "a3\n");
    await first.commit("Change a", author);
    await first.push();
    await first.dispose();
    await git(seed, "fetch", "--quiet", "origin", "ai/1-fix-typo");
    await git(seed, "checkout", "--quiet", "-b", "ai/1-fix-typo", "FETCH_HEAD");
    await writeFile(path.join(seed, "src/b.txt"), "b3\n");
    await git(seed, "commit", "--quiet", "-am", "Reviewer's change");
    await git(seed, "push", "--quiet", "origin", "ai/1-fix-typo");
    // And a branch the next fetch prunes: deleting a packed ref takes packed-refs.lock.
    await git(seed, "push", "--quiet", "origin", "--delete", "ai/gone");
    return git(seed, "rev-parse", "HEAD");
  }

  it("removes the lock files a push killed with SIGKILL leaves, and the next run on the repository succeeds", async () => {
    const { lines, log } = recorder();
    const manager = new WorkspaceManager({ cacheDir, log });
    const moved = await pushedBranchThatMovedOn(manager);
    // The files exactly as git leaves them when killed inside a ref transaction (push updating its remote-tracking ref).
    await git(cache(), "pack-refs", "--all");
    const stale = await git(cache(), "rev-parse", "refs/remotes/origin/main");
    await mkdir(path.join(cache(), "refs/remotes/origin/ai"), { recursive: true });
    await writeFile(path.join(cache(), "refs/remotes/origin/ai/1-fix-typo.lock"), `${stale}\n`);
    await writeFile(path.join(cache(), "packed-refs.lock"), "");
    await writeFile(path.join(cache(), "index.lock"), "");
    await writeFile(path.join(cache(), "shallow.lock"), "");

    const retry = await manager.prepare(options({ runId: "run-1-retry" }));
    expect(retry.reusedBranch).toBe(true);
    expect(retry.baseSha).toBe(moved);
    expect(await readFile(path.join(retry.dir, "src/b.txt"), "utf8")).toBe("b3\n");
    expect((await filesUnder(cache())).filter((f) => f.endsWith(".lock"))).toEqual([]);
    expect(lines).toEqual(["Removed 4 stale git lock file(s) from the shared clone of acme/widgets"]);
    // And the run goes on to the end: commit and push on the reused branch.
    await writeFile(path.join(retry.dir, "src/c.txt"), "c1\n");
    const sha = await retry.commit("Change c", author);
    expect(await retry.push()).toBe(sha);
  });

  it("recovers after a git really killed with SIGKILL while holding the ref locks", async () => {
    const manager = new WorkspaceManager({ cacheDir });
    const moved = await pushedBranchThatMovedOn(manager);
    await git(cache(), "pack-refs", "--all");
    const old = await git(cache(), "rev-parse", "refs/remotes/origin/ai/1-fix-typo");
    const main = await git(cache(), "rev-parse", "refs/remotes/origin/main");
    // The ref transaction a push's remote-tracking update runs, stopped after it took its locks, then killed.
    const child = spawn("git", ["update-ref", "--stdin"], { cwd: cache(), env: { PATH: process.env.PATH, HOME: root, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" } });
    let said = "";
    child.stdout.on("data", (chunk: Buffer) => (said += chunk.toString()));
    child.stdin.write(`start\nupdate refs/remotes/origin/ai/1-fix-typo ${main} ${old}\ndelete refs/remotes/origin/main ${main}\nprepare\n`);
    const deadline = Date.now() + 10_000;
    while (!said.includes("prepare: ok") && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(said).toContain("prepare: ok");
    child.kill("SIGKILL");
    await once(child, "close");
    const locks = (await filesUnder(cache())).filter((f) => f.endsWith(".lock")).map((f) => path.relative(cache(), f)).sort();
    expect(locks).toEqual(["packed-refs.lock", "refs/remotes/origin/ai/1-fix-typo.lock", "refs/remotes/origin/main.lock"]);

    const retry = await manager.prepare(options({ runId: "run-1-retry" }));
    expect(retry.baseSha).toBe(moved);
    expect((await filesUnder(cache())).filter((f) => f.endsWith(".lock"))).toEqual([]);
    expect(existsSync(path.join(cache(), "packed-refs.new"))).toBe(false); // the transaction's half-written packed-refs
  });

  it("keeps a fresh lock file while a git of ours runs in the clone, and removes one older than any git of ours lives", async () => {
    const { lines, log } = recorder();
    const manager = new WorkspaceManager({ cacheDir, log });
    const ws = await manager.prepare(options());
    await writeFile(path.join(ws.dir, "src/a.txt"), "a3\n");
    await ws.commit("Change a", author);
    // The remote takes its time, so the push is still running when the next run sets up.
    const started = path.join(root, "push-started");
    await writeFile(path.join(remote, "hooks/pre-receive"), `#!/bin/sh\ntouch '${started}'\nsleep 2\n`, { mode: 0o755 });
    const pushing = ws.push();
    const deadline = Date.now() + 10_000;
    while (!existsSync(started) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const fresh = path.join(cache(), "worktrees/1/index.lock"); // the administrative directory of pool/acme/widgets/1
    const old = path.join(cache(), "refs/remotes/origin/old.lock");
    await writeFile(fresh, "");
    await writeFile(old, "");
    const longAgo = new Date(Date.now() - 30 * 60_000);
    await utimes(old, longAgo, longAgo);

    await manager.prepare(options({ runId: "run-2", branch: "ai/2-other" }));
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(old)).toBe(false);
    expect(lines).toEqual(["Removed 1 stale git lock file(s) from the shared clone of acme/widgets"]);
    await rm(fresh); // not the push's own: it would fail its next commit
    await pushing;
  });

  it.each([
    ["garbage in packed-refs", () => writeFile(path.join(cache(), "packed-refs"), "garbage\n")],
    ["an emptied HEAD", () => writeFile(path.join(cache(), "HEAD"), "")],
    ["no objects directory", () => rm(path.join(cache(), "objects"), { recursive: true, force: true })],
  ])("re-creates a clone left unusable (%s), says so in the log, and the next run succeeds", async (_what, corrupt) => {
    const { lines, log } = recorder();
    const manager = new WorkspaceManager({ cacheDir, log });
    await (await manager.prepare(options())).dispose();
    await writeFile(path.join(cache(), "marker"), "old clone");
    await corrupt();
    const head = await pushToRemote("fourth", { "src/c.txt": "c1\n" });

    const ws = await manager.prepare(options({ runId: "run-2" }));
    expect(ws.baseSha).toBe(head);
    expect(await readFile(path.join(ws.dir, "src/c.txt"), "utf8")).toBe("c1\n");
    expect(existsSync(path.join(cache(), "marker"))).toBe(false);
    expect(await readdir(path.join(cacheDir, "repos/acme"))).toEqual(["widgets.git"]);
    expect(lines).toEqual(["The shared clone of acme/widgets is unusable; re-creating it from scratch"]);
  });

  it("keeps a sound clone when the remote is what failed", async () => {
    const { lines, log } = recorder();
    const manager = new WorkspaceManager({ cacheDir, log });
    await (await manager.prepare(options())).dispose();
    await writeFile(path.join(cache(), "marker"), "old clone");
    const error = await manager.prepare(options({ runId: "run-2", remoteUrl: path.join(root, "missing.git") })).catch((e: unknown) => e);
    expect((error as Error).message).toBe("Fetching acme/widgets from its repository failed: the repository was not found at its address.");
    expect(await readFile(path.join(cache(), "marker"), "utf8")).toBe("old clone");
    expect(lines).toEqual([]);
  });
});

describe("git failures in plain words", () => {
  const failure = (stderr: string, exitCode: number | undefined, message = "git push failed") => ({ stderr, exitCode, message });
  const hidden = { remote: "https://ghe.internal.example/acme/widgets.git", paths: ["/data/git"] };

  it("says a branch moved on, and what the remote said", () => {
    const stderr = [
      "remote: error: GH006: Protected branch update failed for refs/heads/ai/1.",
      "To https://ghe.internal.example/acme/widgets.git",
      " ! [rejected]        abc -> ai/1 (non-fast-forward)",
      "error: failed to push some refs to 'https://ghe.internal.example/acme/widgets.git'",
    ].join("\n");
    expect(explainGitFailure(failure(stderr, 1), hidden)).toBe("the branch on the repository has commits this run does not have (non-fast-forward); it said: error: GH006: Protected branch update failed for refs/heads/ai/1.");
  });

  it("hides the remote's address in every form, the server's paths and credentials", () => {
    const text = "fatal: unable to access 'https://ghe.internal.example/acme/widgets.git/': error in /data/git/repos/acme/widgets.git/config, see http://u:p@elsewhere.example/x";
    expect(hideAddresses(text, hidden)).toBe("fatal: unable to access '<remote>': error in <server path>, see http://***@elsewhere.example/x");
    expect(hideAddresses("'/srv/remote.git' does not appear to be a git repository", { remote: "file:///srv/remote.git" })).toBe("'<remote>' does not appear to be a git repository");
  });

  it("names a timeout, an unreachable server and anything else by git's own first error", () => {
    expect(explainGitFailure(failure("", undefined, "git fetch failed: timed out after 600000 ms"), hidden)).toBe("git took longer than 10m and was stopped");
    expect(explainGitFailure(failure("fatal: unable to access 'https://ghe.internal.example/x/': Could not resolve host: ghe.internal.example", 128), hidden)).toBe("the repository's server could not be reached");
    expect(explainGitFailure(failure("warning: something\nfatal: bad object HEAD", 128), hidden)).toBe("bad object HEAD");
  });
});

describe("git environment", () => {
  it("passes only what git needs, and the token as a config header scoped to the remote's host", () => {
    process.env.AI_AGENT_TEST_SECRET = "do-not-pass";
    try {
      const env = gitEnv({ home: "/tmp/home", token: "ghs_x", authScope: "https://github.com/" });
      expect(Object.values(env)).not.toContain("do-not-pass");
      expect(env).toMatchObject({ HOME: "/tmp/home", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_TERMINAL_PROMPT: "0" });
      const settings: Record<string, string | undefined> = {};
      for (let i = 0; i < Number(env.GIT_CONFIG_COUNT); i++) settings[env[`GIT_CONFIG_KEY_${i}`] ?? ""] = env[`GIT_CONFIG_VALUE_${i}`];
      expect(settings).toMatchObject({
        "http.https://github.com/.extraHeader": `Authorization: Basic ${base64("ghs_x")}`,
        "core.hooksPath": "/dev/null",
        "core.fsmonitor": "false",
      });
      expect(settings["http.extraHeader"]).toBeUndefined();
      // No scope, no header: a token never goes to a host it was not meant for.
      expect(Object.values(gitEnv({ home: "/tmp/home", token: "ghs_x" })).join("\n")).not.toContain(base64("ghs_x"));
    } finally {
      delete process.env.AI_AGENT_TEST_SECRET;
    }
  });

  it("redacts the token, its base64 form and URL credentials", () => {
    const text = `token ghs_x header ${base64("ghs_x")} url https://u:p@github.com/a/b.git`;
    expect(redact(text, "ghs_x")).toBe("token *** header *** url https://***@github.com/a/b.git");
  });
});
