import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileLines, parsePatch } from "../../src/review/diff.js";
import { localChangedFiles, unquote } from "../../src/review/local-diff.js";
import { planChunks } from "../../src/review/chunk.js";
import { WorkspaceManager } from "../../src/workspace/workspace.js";
import { git } from "../helpers/git.js";

/**
 * The agent's branch as a pull request's files: a real worktree from WorkspaceManager, a commit on
 * it, its `diff()` read into changed files — paths, statuses, counts and patches that the review's
 * hunks, chunks and line checks take as they take GitHub's.
 */

const COMMIT = ["-c", "user.name=Seed", "-c", "user.email=seed@example.com", "commit", "-q", "-m"];
const AGENT = { name: "Agent", email: "agent@example.com" };

let root: string;
let remote: string;
let seed: string;
let manager: WorkspaceManager;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "ai-agent-local-diff-"));
  seed = path.join(root, "seed");
  remote = path.join(root, "remote.git");
  execFileSync("git", ["init", "-q", "-b", "main", seed]);
  await writeFile(path.join(seed, "a.ts"), "export const a = 1;\nexport const b = 2;\nexport const c = 3;\n");
  await writeFile(path.join(seed, "old.md"), "# Old\n\nGone soon.\n");
  await writeFile(path.join(seed, "run.sh"), "echo hi\n");
  git(seed, "add", ".");
  git(seed, ...COMMIT, "init");
  execFileSync("git", ["clone", "-q", "--bare", seed, remote]);
  manager = new WorkspaceManager({ cacheDir: path.join(root, "cache") });
});
afterEach(() => rm(root, { recursive: true, force: true }));

const prepare = (runId: string) => manager.prepare({ repo: "octo/repo", remoteUrl: remote, baseBranch: "main", branch: "ai/1-fix", runId });

describe("localChangedFiles over a workspace's diff()", () => {
  it("gives each changed file its status, counts and a patch the review reads like GitHub's", async () => {
    const workspace = await prepare("run-1");
    try {
      const dir = workspace.dir;
      await writeFile(path.join(dir, "a.ts"), "export const a = 1;\nexport const b = 20;\nexport const c = 3;\n");
      await writeFile(path.join(dir, "new file.txt"), "one\ntwo\n");
      await writeFile(path.join(dir, "café.txt"), "au lait\n");
      await writeFile(path.join(dir, "logo.bin"), Buffer.from([0, 1, 2, 0, 255]));
      await unlink(path.join(dir, "old.md"));
      await chmod(path.join(dir, "run.sh"), 0o755);
      await workspace.commit("change", AGENT);

      const files = localChangedFiles(await workspace.diff());
      expect(files.map(({ path, status, additions, deletions }) => [path, status, additions, deletions])).toEqual([
        ["a.ts", "modified", 1, 1],
        ["café.txt", "added", 1, 0],
        ["logo.bin", "added", 0, 0],
        ["new file.txt", "added", 2, 0],
        ["old.md", "removed", 0, 3],
        ["run.sh", "modified", 0, 0],
      ]);
      const byPath = new Map(files.map((file) => [file.path, file]));
      // A binary file and a change of mode alone have no patch, as on GitHub.
      expect(byPath.get("logo.bin")?.patch).toBeUndefined();
      expect(byPath.get("run.sh")?.patch).toBeUndefined();
      expect(byPath.get("a.ts")?.patch).toBe("@@ -1,3 +1,3 @@\n export const a = 1;\n-export const b = 2;\n+export const b = 20;\n export const c = 3;");
      expect(byPath.get("new file.txt")?.patch).toBe("@@ -0,0 +1,2 @@\n+one\n+two");

      const lines = new FileLines(parsePatch(byPath.get("a.ts")!.patch!));
      expect([lines.accepts("RIGHT", 2), lines.accepts("LEFT", 2), lines.accepts("RIGHT", 4)]).toEqual([true, true, false]);
      const reviewable = files.flatMap((file) => (file.patch ? [{ ...file, patch: file.patch }] : []));
      expect(planChunks(reviewable, { budget: 40_000, maxFiles: 300 }).assigned).toBe(4);
    } finally {
      await workspace.dispose();
    }
  });

  it("reads only the branch's own commits when the base moved on after it forked", async () => {
    const first = await prepare("run-2");
    await writeFile(path.join(first.dir, "a.ts"), "export const a = 10;\nexport const b = 2;\nexport const c = 3;\n");
    await first.commit("branch change", AGENT);
    await first.push();
    await first.dispose();
    // Someone else's commit on main, after the branch left it.
    await writeFile(path.join(seed, "other.md"), "Another change.\n");
    git(seed, "add", ".");
    git(seed, ...COMMIT, "on main");
    git(seed, "push", "-q", remote, "main");

    const resumed = await prepare("run-3");
    try {
      expect(resumed.reusedBranch).toBe(true);
      const files = localChangedFiles(await resumed.diff());
      expect(files.map((file) => file.path)).toEqual(["a.ts"]);
      expect(files[0]!.patch).toContain("-export const a = 1;\n+export const a = 10;");
    } finally {
      await resumed.dispose();
    }
  });

  it("is empty for a branch with no commits of its own", async () => {
    const workspace = await prepare("run-4");
    try {
      expect(localChangedFiles(await workspace.diff())).toEqual([]);
    } finally {
      await workspace.dispose();
    }
  });
});

describe("unquote", () => {
  it("reads git's C-quoted paths, octal bytes and escapes included", () => {
    expect(unquote('"b/caf\\303\\251.txt"')).toBe("b/café.txt");
    expect(unquote('"b/a\\"quote\\\\tab\\t.txt"')).toBe('b/a"quote\\tab\t.txt');
    expect(unquote("b/plain.txt")).toBe("b/plain.txt");
  });
});
