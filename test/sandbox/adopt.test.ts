import { lstat, mkdir, rm, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UNPRIVILEGED_ID } from "../../src/sandbox/bubblewrap.js";
import { bubblewrap, reachableTempDir } from "../helpers/sandbox.js";

/**
 * Handing a worktree to the sandbox's uid (when the app runs as root) changes the owner of what is
 * in the worktree and nothing it links to: a repository may commit a link to any directory.
 */

let root: string;

beforeAll(async () => {
  root = await reachableTempDir("ai-agent-adopt-");
});

afterAll(() => rm(root, { recursive: true, force: true }));

describe("adopting a worktree", () => {
  it.skipIf(process.getuid?.() !== 0)("hands over its files and its links, never what a link points to", async () => {
    const outside = path.join(root, "outside");
    const workspace = path.join(root, "workspace");
    await mkdir(path.join(outside, "deep"), { recursive: true });
    await writeFile(path.join(outside, "deep/secret"), "the host's\n");
    await mkdir(path.join(workspace, "src"), { recursive: true });
    await writeFile(path.join(workspace, "src/a.txt"), "a\n");
    await symlink(outside, path.join(workspace, "src/link"));

    await (await bubblewrap()).adopt(workspace);
    expect((await stat(path.join(workspace, "src/a.txt"))).uid).toBe(UNPRIVILEGED_ID);
    expect((await lstat(path.join(workspace, "src/link"))).uid).toBe(UNPRIVILEGED_ID);
    expect((await stat(path.join(outside, "deep/secret"))).uid).toBe(0);
    expect((await stat(path.join(outside, "deep"))).uid).toBe(0);
  });
});
