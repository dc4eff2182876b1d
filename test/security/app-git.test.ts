import { existsSync } from "node:fs";
import { appendFile, chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkspaceManager } from "../../src/workspace/workspace.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { git } from "../helpers/git.js";
import { bubblewrap, reachableTempDir } from "../helpers/sandbox.js";

/**
 * The app's own git is out of the sandbox's reach: a command cannot see or change the git
 * directory, and what an earlier compromise may have put in the shared clone (fsmonitor, a filter,
 * a hook) is gone by the next run, so the app's `git status`, `add` and `commit` run none of it.
 */

let root: string;
let remote: string;
let sandbox: Sandbox;
let manager: WorkspaceManager;
const author = { name: "ai-agent", email: "ai-agent@example.com" };
const options = (runId: string, branch: string) => ({ repo: "acme/widgets", remoteUrl: remote, baseBranch: "main", branch, runId });

beforeAll(async () => {
  root = await reachableTempDir("ai-agent-git-boundary-");
  const seed = path.join(root, "seed");
  remote = path.join(root, "remote.git");
  await mkdir(seed);
  git(seed, "init", "-q", "-b", "main");
  await writeFile(path.join(seed, "README.md"), "hello\n");
  // The repository asks for a filter; only configuration can define one, and ours defines none.
  await writeFile(path.join(seed, ".gitattributes"), "* filter=evil diff=evil\n");
  git(seed, "add", ".");
  git(seed, "-c", "user.name=Seed", "-c", "user.email=seed@example.com", "commit", "-q", "-m", "init");
  git(root, "clone", "-q", "--bare", seed, remote);
  sandbox = await bubblewrap();
  manager = new WorkspaceManager({ cacheDir: path.join(root, "cache") });
});

afterAll(() => rm(root, { recursive: true, force: true }));

/** A script that leaves a mark on the host when git runs it. */
async function trap(name: string): Promise<{ script: string; fired: () => boolean }> {
  const mark = path.join(root, `${name}.fired`);
  const script = path.join(root, `${name}.sh`);
  await writeFile(script, `#!/bin/sh\ntouch ${mark}\ncat\n`);
  await chmod(script, 0o755);
  return { script, fired: () => existsSync(mark) };
}

describe("the app's git", () => {
  it("is out of the sandbox's reach: the git directory cannot be seen, pointed elsewhere or configured", async () => {
    const ws = await manager.prepare(options("run-a", "ai/a"));
    await sandbox.adopt(ws.dir);
    const monitor = await trap("monitor-from-inside");
    const attack = [
      `git config core.fsmonitor ${monitor.script} 2>&1`,
      `cat .git 2>&1; ls "$(sed 's/gitdir: //' .git)" 2>&1`,
      `printf 'gitdir: /repo/evil\\n' > .git 2>&1`,
      `mkdir -p evil && printf '[core]\\n\\tfsmonitor = ${monitor.script}\\n' > evil/config && rm -f .git 2>&1`,
      "echo changed >> README.md",
    ].join("; ");
    const inside = await sandbox.exec(["sh", "-c", attack], { workspace: ws.dir, timeoutMs: 10_000 });
    expect(inside.stdout).toMatch(/not a git repository/);
    expect(inside.stdout).toMatch(/No such file or directory/);
    expect(inside.stdout).toMatch(/Read-only file system|Device or resource busy/);
    expect(await readFile(path.join(ws.dir, ".git"), "utf8")).toBe(`gitdir: ${path.join(root, "cache/repos/acme/widgets.git/worktrees", path.basename(ws.dir))}\n`);

    expect(await ws.changedFiles()).toEqual(["README.md", "evil/config"]);
    expect(await ws.commit("change", author)).toMatch(/^[0-9a-f]{40}$/);
    expect(monitor.fired()).toBe(false);
    await ws.dispose();
  });

  it("hands a reused worktree to the next run's sandbox with nothing the last run's sandbox wrote, and its git directory still hidden", async () => {
    const first = await manager.prepare(options("run-d", "ai/d"));
    await sandbox.adopt(first.dir);
    const mess = "echo junk > untracked.txt; mkdir -p node_modules/x && echo y > node_modules/x/i.js; echo changed >> README.md; ln -s / root-link";
    expect((await sandbox.exec(["sh", "-c", mess], { workspace: first.dir, timeoutMs: 10_000 })).exitCode).toBe(0);
    await first.dispose();

    const second = await manager.prepare(options("run-e", "ai/e"));
    expect(second.dir).toBe(first.dir);
    await sandbox.adopt(second.dir);
    const look = await sandbox.exec(["sh", "-c", "ls -A; cat README.md; git status 2>&1; ls \"$(sed 's/gitdir: //' .git)\" 2>&1"], { workspace: second.dir, timeoutMs: 10_000 });
    expect(look.stdout.split("\n").slice(0, 4)).toEqual([".git", ".gitattributes", "README.md", "hello"]);
    expect(look.stdout).toMatch(/not a git repository/);
    expect(look.stdout).toMatch(/No such file or directory/);
    await second.dispose();
  });

  it("runs nothing a poisoned shared clone holds, and the poison does not survive into the next run", async () => {
    const first = await manager.prepare(options("run-b", "ai/b"));
    await first.dispose();
    const gitDir = path.join(root, "cache/repos/acme/widgets.git");
    const monitor = await trap("monitor");
    const filter = await trap("filter");
    const hook = await trap("hook");
    // As a test script of an earlier, unsandboxed version could have left it.
    await appendFile(
      path.join(gitDir, "config"),
      `[core]\n\tfsmonitor = ${monitor.script}\n\thooksPath = hooks\n[filter "evil"]\n\tclean = ${filter.script}\n\tsmudge = ${filter.script}\n\trequired = true\n[diff "evil"]\n\ttextconv = ${filter.script}\n`,
    );
    await mkdir(path.join(gitDir, "hooks"), { recursive: true });
    for (const name of ["post-checkout", "pre-commit", "post-commit", "reference-transaction"]) {
      await writeFile(path.join(gitDir, "hooks", name), `#!/bin/sh\nexec ${hook.script}\n`);
      await chmod(path.join(gitDir, "hooks", name), 0o755);
    }

    const ws = await manager.prepare(options("run-c", "ai/c"));
    await writeFile(path.join(ws.dir, "README.md"), "changed\n");
    expect(await ws.changedFiles()).toEqual(["README.md"]);
    await ws.commit("change", author);
    await ws.push();
    await ws.dispose();

    expect([monitor.fired(), filter.fired(), hook.fired()]).toEqual([false, false, false]);
    const config = await readFile(path.join(gitDir, "config"), "utf8");
    expect(config).not.toMatch(/fsmonitor|filter "|textconv|hooksPath/);
    expect(config).toContain(`url = file://${remote}`);
    expect(existsSync(path.join(gitDir, "hooks", "post-checkout"))).toBe(false);
  });
});
