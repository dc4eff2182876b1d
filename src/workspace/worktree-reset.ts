/**
 * git's part in keeping worktrees between runs: adding one, resetting a kept one to a run's start,
 * emptying one given back, and removing one. Whatever a run left in a worktree — changed tracked
 * files, new files, ignored build output, nested repositories — is gone before the next run gets
 * it: `clean -ffdx` removes every file the index does not track, ignored ones and other
 * repositories included, and `checkout --force -B` puts the index and the tracked files at the
 * start commit, removing what the start commit no longer tracks. The two halves are apart so that
 * the cleaning, which needs no commit, can run while the clone fetches the one to check out
 * (workspace.ts); done in that order they leave the same tree as in the other. The app's git runs
 * no hook and no fsmonitor (git.ts), so nothing the repository or a run wrote takes part.
 */
import { lstat, mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { NETWORK_TIMEOUT_MS, type GitFn } from "./git.js";

/** A kept worktree that cannot be trusted or reset; it is removed and another made. */
export class BrokenWorktree extends Error {
  override name = "BrokenWorktree";
}

/**
 * Whether `dir/.git` is the pointer `git worktree add` wrote — a regular file naming an
 * administrative directory in the clone's `worktrees/` that names `dir` back — and nothing else.
 * The sandbox sees the pointer read-only; a command run on the host could have rewritten it to
 * send the app's git elsewhere.
 */
export async function pointsInto(dir: string, gitDir: string): Promise<boolean> {
  const pointer = path.join(dir, ".git");
  if (!(await lstat(pointer).catch(() => undefined))?.isFile()) return false;
  const named = /^gitdir: (.+)\n?$/.exec(await readFile(pointer, "utf8"))?.[1];
  if (!named || path.dirname(named) !== path.join(gitDir, "worktrees")) return false;
  const back = await readFile(path.join(named, "gitdir"), "utf8").catch(() => undefined);
  return back?.trim() === pointer;
}

/**
 * A new worktree at `dir` on `branch`, at `sha`. Checking out fetches the missing blobs of that one
 * tree. Its index is of version 4, which writes each path as a change of the one before: a third
 * smaller on a large tree, and read and written at every reset.
 */
export async function addWorktree(dir: string, gitDir: string, branch: string, sha: string, git: GitFn): Promise<void> {
  await mkdir(path.dirname(dir), { recursive: true });
  await rm(dir, { recursive: true, force: true });
  await git(["-c", "index.version=4", "worktree", "add", "--quiet", "--no-track", "-B", branch, dir, sha], gitDir, { timeoutMs: NETWORK_TIMEOUT_MS });
}

/**
 * Puts a kept worktree on `branch` at `sha` with nothing else in it: cleaned, then checked out.
 * Only the files that differ from what the index says are written, which is what makes a kept
 * worktree quick; the index is the app's alone (in the clone, out of the sandbox's sight), and git
 * looks at each file's change time, which no command can set back, to tell whether it still matches.
 */
export async function resetWorktree(dir: string, gitDir: string, branch: string, sha: string, git: GitFn): Promise<void> {
  if (!(await pointsInto(dir, gitDir))) throw new BrokenWorktree("its .git is not the pointer into the clone that the app wrote");
  await cleanWorktree(dir, git);
  await checkoutWorktree(dir, branch, sha, git);
}

/**
 * The first half of a reset, which needs no start commit, for a worktree whose `.git` was found to
 * be the app's pointer (pointsInto): removes every file the index does not track (the commit the
 * worktree is on, or what a crashed run had staged: the checkout that follows removes those).
 */
export async function cleanWorktree(dir: string, git: GitFn): Promise<void> {
  await git(["clean", "-ffdxq"], dir);
}

/**
 * The second half: the index and every tracked file at `sha` on `branch`, what `sha` does not
 * track removed. Checking out fetches the blobs of the files that change, when the clone lacks them.
 */
export async function checkoutWorktree(dir: string, branch: string, sha: string, git: GitFn): Promise<void> {
  // The fetch of missing blobs starts no maintenance of its own: the clone's fetch at each set-up runs it.
  await git(["-c", "maintenance.auto=false", "checkout", "--quiet", "--force", "--no-track", "-B", branch, sha], dir, { timeoutMs: NETWORK_TIMEOUT_MS });
}

/**
 * Empties a worktree given back: off its branch (which is deleted: it lives on the remote once
 * pushed, and the local copy would only pin objects), changes undone, untracked and ignored files
 * removed, so that what a run left does not sit on disk until the next run.
 */
export async function emptyWorktree(dir: string, gitDir: string, branch: string, git: GitFn): Promise<void> {
  if (!(await pointsInto(dir, gitDir))) throw new BrokenWorktree("its .git is not the pointer into the clone that the app wrote");
  await git(["checkout", "--quiet", "--detach"], dir);
  await git(["branch", "--quiet", "-D", branch], gitDir, { okCodes: [1] });
  await git(["reset", "--quiet", "--hard"], dir);
  await git(["clean", "-ffdxq"], dir);
}

/** Removes a worktree and its registration in the clone; what is already gone is no error. */
export async function removeWorktree(dir: string, gitDir: string, git: GitFn): Promise<void> {
  await git(["worktree", "remove", "--force", "--force", dir], gitDir).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
  await git(["worktree", "prune"], gitDir).catch(() => undefined);
}
