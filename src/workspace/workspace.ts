/**
 * Per-repository git workspaces for agent runs. Each repository is cloned once, partially
 * (`--filter=blob:none`, bare) into `${cacheDir}/repos/<owner>/<repo>.git`, and fetched on later
 * runs; each run takes a worktree of its own from the repository's pool (pool.ts), reset to the
 * run's start on its branch — reused from the remote when a retried run finds it there — and gives
 * it back at its end. Set-up of one repository is serialised within the process; a cache
 * directory must not be shared by several processes.
 *
 * A git killed mid-way (kill -9, an OOM kill, a crash of the host) leaves its lock files behind, and
 * every later fetch of the clone would fail on them ("cannot lock ref … File exists"). So each set-up
 * first removes the lock files in the clone that no git of this process can hold — all of them when
 * none of ours runs in the clone, otherwise those older than any git of ours may run — and when a
 * set-up step still fails and the clone fails a local check, the clone is re-created from scratch.
 */
import { randomBytes } from "node:crypto";
import { lstat, mkdir, readFile, readdir, realpath, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { UserFacingError } from "../core/errors.js";
import { GitFailed, type HiddenAddresses } from "./git-failure.js";
import { diskUsage } from "./disk-usage.js";
import { GitError, NETWORK_TIMEOUT_MS, authScopeOf, normaliseRemote, runGit, type GitFn, type RunGitOptions } from "./git.js";
import { DEFAULT_POOL_LIMITS, type PoolLimits, type PooledWorktree, WorktreePool } from "./pool.js";
import { BrokenWorktree, addWorktree, checkoutWorktree, cleanWorktree, emptyWorktree, pointsInto, removeWorktree, resetWorktree } from "./worktree-reset.js";

export { GitError } from "./git.js";
export { GitFailed } from "./git-failure.js";

export interface WorkspaceOptions {
  /** Where clones and worktrees live, e.g. `${DATA_DIR}/git`. */
  cacheDir: string;
  /** Told when stale lock files are removed from a clone, or a broken clone or worktree is re-created. */
  log?: WorkspaceLog;
  /** How many worktrees are kept between runs, per repository and by disk; DEFAULT_POOL_LIMITS when absent. */
  pool?: PoolLimits;
}

export interface WorkspaceLog {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface PrepareOptions {
  /** `owner/repo`: the cache key. */
  repo: string;
  /** https://github.com/owner/repo.git, or a local path / file:// URL in tests. */
  remoteUrl: string;
  /** The installation token for HTTPS remotes; optional for local remotes. */
  token?: string;
  /** The branch to start from when `branch` does not exist on the remote (e.g. "main"). */
  baseBranch: string;
  /** The branch the run works on. Reused when it already exists on the remote (a retried run). */
  branch: string;
  /**
   * A ref of the remote to start a new `branch` from instead of `baseBranch`, such as a fork's pull
   * request head as the base repository keeps it (`refs/pull/7/head`); fetched for this run alone.
   */
  startRef?: string;
  /** A unique id for this run: names the worktree directory. */
  runId: string;
}

export interface Workspace {
  /** The worktree's directory (absolute, realpath). */
  dir: string;
  branch: string;
  /** The commit the worktree started from. */
  baseSha: string;
  /** True when `branch` existed on the remote and was checked out from it. */
  reusedBranch: boolean;
  /** Paths changed in the worktree relative to HEAD, tracked and untracked (respecting .gitignore), sorted. */
  changedFiles(): Promise<string[]>;
  /** Undoes the changes to the files `reject` picks (restored from HEAD, or removed when new); returns them. */
  discard(reject: (file: string) => boolean): Promise<string[]>;
  /** Stages everything and commits; returns the new sha, or undefined when nothing changed. */
  commit(message: string, author: { name: string; email: string }): Promise<string | undefined>;
  /** Commits on the branch that are not on `baseBranch` (as of prepare), oldest first. */
  commits(): Promise<{ sha: string; subject: string }[]>;
  /** The commit the worktree is on now, with its whole message. */
  head(): Promise<{ sha: string; message: string }>;
  /**
   * The branch's committed changes since it left `baseBranch` (the commits `commits()` lists), as
   * one unified diff with `a/` and `b/` prefixes, renames as a deletion and an addition.
   */
  diff(): Promise<string>;
  /** Pushes the branch to the remote (creates or fast-forwards it); returns the pushed sha. A fresh token may be given. */
  push(token?: string): Promise<string>;
  /**
   * Gives the worktree back, emptied, to the repository's pool (or removes it when the pool is
   * full); safe to call twice. The run must not touch `dir` afterwards.
   */
  dispose(): Promise<void>;
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
/** Per-repository set-up chains, shared by every manager in the process. */
const locks = new Map<string, Promise<void>>();
/** Runs that hold a workspace, by cache directory and run id, in this process. */
const liveRuns = new Set<string>();
/** The worktree pool of each cache directory, shared by every manager in the process. */
const pools = new Map<string, WorktreePool>();
/** Branch names git accepted (`check-ref-format --branch`): a name's validity is its own. */
const validNames = new Set<string>();
/** The configuration file `resetConfig` writes for each remote, once git has written it the first time. */
const configs = new Map<string, string>();
/** How many git commands of this process run in each clone (its worktrees included), by clone. */
const running = new Map<string, number>();
/** No git command of ours runs longer (runGit kills it at its timeout): an older lock is nobody's. */
const STALE_LOCK_MS = NETWORK_TIMEOUT_MS + 60_000;
/**
 * The lock files git may leave at the top of a clone, besides the `*.lock` files under `refs/`;
 * `packed-refs.new` is the file a ref transaction rewrites packed-refs into while it holds its lock.
 */
const TOP_LOCKS = ["index.lock", "packed-refs.lock", "packed-refs.new", "shallow.lock", "config.lock", "HEAD.lock"];
/** The lock files git may leave in a worktree's administrative directory, `worktrees/<id>/`. */
const WORKTREE_LOCKS = ["index.lock", "HEAD.lock"];

/** Runs `fn` after every earlier holder of `key` has finished, successfully or not. */
function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const result = (locks.get(key) ?? Promise.resolve()).then(fn);
  const tail = result.then(
    () => undefined,
    () => undefined,
  );
  locks.set(key, tail);
  void tail.then(() => locks.get(key) === tail && locks.delete(key));
  return result;
}

/**
 * Runs `work`; a git failure in it becomes a GitFailed that tells the person who triggered the run
 * what could not be done (`what`) and why, without the remote's address or the server's paths.
 */
async function plainly<T>(what: string, hidden: HiddenAddresses, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof GitError ? new GitFailed(what, error, hidden) : error;
  }
}

interface Prepared {
  dir: string;
  branch: string;
  baseSha: string;
  reusedBranch: boolean;
  /** Where the branch left the base branch: commits() starts after it. */
  forkPoint: string;
  gitDir: string;
  git: GitFn;
  /** owner/repo, for messages. */
  repo: string;
  hidden: HiddenAddresses;
  pool: WorktreePool;
  /** The cache directory, realpath. */
  home: string;
}

/** What set-up under the repository's lock makes. */
type SetUp = Omit<Prepared, "home">;

const exists = (p: string) => stat(p).then(() => true, () => false);

/** Waits for every one of `work` to end, then throws the failure of the first that failed, if any. */
async function firstFailure(work: readonly Promise<unknown>[]): Promise<void> {
  for (const outcome of await Promise.allSettled(work)) if (outcome.status === "rejected") throw outcome.reason;
}

/** The regular files named `*.lock` under `dir`, recursively, without following symbolic links. */
async function lockFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    const where = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await lockFilesUnder(where)));
    else if (entry.isFile() && entry.name.endsWith(".lock")) found.push(where);
  }
  return found;
}

export class WorkspaceManager {
  private readonly cacheDir: string;
  private readonly log: WorkspaceLog | undefined;
  private readonly limits: PoolLimits;

  constructor(options: WorkspaceOptions) {
    this.cacheDir = path.resolve(options.cacheDir);
    this.log = options.log;
    this.limits = options.pool ?? DEFAULT_POOL_LIMITS;
  }

  async prepare(options: PrepareOptions): Promise<Workspace> {
    const { repo, token, baseBranch, branch, runId } = options;
    const [owner, name, ...rest] = repo.split("/");
    if (!owner || !name || rest.length || !NAME.test(owner) || !NAME.test(name)) throw new Error(`Invalid repository name: ${repo}`);
    if (!NAME.test(runId)) throw new Error(`Invalid run id: ${runId}`);
    const remote = normaliseRemote(options.remoteUrl);
    await mkdir(path.join(this.cacheDir, "pool"), { recursive: true });
    const home = await realpath(this.cacheDir);
    const authScope = authScopeOf(remote);
    const git = (args: string[], cwd: string, extra?: Partial<RunGitOptions>) => runGit(args, { cwd, home, token, ...(authScope ? { authScope } : {}), ...extra });
    // Side by side, and beside the fetch (set-up checks them before it uses a name): each git
    // started is a few milliseconds of a run's set-up.
    const names = () =>
      Promise.all(
        [branch, baseBranch]
          .filter((ref) => !validNames.has(ref))
          .map((ref) =>
            git(["check-ref-format", "--branch", ref], home).then(
              () => void validNames.add(ref),
              () => {
                throw new Error(`Invalid branch name: ${ref}`);
              },
            ),
          ),
      ).then(() => undefined);

    const gitDir = path.join(home, "repos", owner, `${name}.git`);
    // Every git command in the clone or its worktrees is counted while it runs.
    const tracked: GitFn = async (args, cwd, extra) => {
      running.set(gitDir, (running.get(gitDir) ?? 0) + 1);
      try {
        return await git(args, cwd, extra);
      } finally {
        const left = (running.get(gitDir) ?? 1) - 1;
        if (left > 0) running.set(gitDir, left);
        else running.delete(gitDir);
      }
    };
    const runKey = `${home}\0${runId}`;
    if (liveRuns.has(runKey)) throw new Error(`Run ${runId} already has a workspace`);
    liveRuns.add(runKey); // reserved from here on, released if set-up fails
    try {
      const pool = await this.poolOf(home);
      const hidden: HiddenAddresses = { remote, paths: [home, this.cacheDir] };
      const prepared = await withLock(gitDir, () =>
        plainly(`Preparing a working copy of ${repo}`, hidden, () => this.setUp(gitDir, pool.folderOf(owner, name), remote, options, names, tracked, hidden, pool)),
      );
      return this.workspace({ ...prepared, home }, () => liveRuns.delete(runKey));
    } catch (error) {
      liveRuns.delete(runKey);
      throw error;
    }
  }

  /**
   * The cache's pool, with the worktrees an earlier process left adopted and those past the
   * bounds removed (each under its repository's lock), and what the previous layout of one
   * worktree per run left behind removed: the clones' registrations of those go at their next
   * `worktree prune`.
   */
  private async poolOf(home: string): Promise<WorktreePool> {
    let pool = pools.get(home);
    if (!pool) {
      pools.set(home, (pool = new WorktreePool(home)));
      await rm(path.join(home, "worktrees"), { recursive: true, force: true });
    }
    await pool.discover(this.limits, (worktree) => this.evict(worktree, home));
    return pool;
  }

  /** Removes a worktree the pool let go, under its repository's lock. */
  private evict(worktree: PooledWorktree, home: string): Promise<void> {
    const git: GitFn = (args, cwd, extra) => runGit(args, { cwd, home, ...extra });
    return withLock(worktree.gitDir, () => removeWorktree(worktree.dir, worktree.gitDir, git));
  }

  /**
   * Clears stale lock files, then sets up; when a step fails and the clone fails a local check, the
   * clone is re-created from scratch and set-up tried once more. Runs under the repository's lock.
   */
  private async setUp(gitDir: string, folder: string, remote: string, options: PrepareOptions, names: () => Promise<void>, git: GitFn, hidden: HiddenAddresses, pool: WorktreePool): Promise<SetUp> {
    const { repo } = options;
    const cleared = await this.clearStaleLocks(gitDir);
    if (cleared.length > 0) this.log?.warn({ repo, locks: cleared }, `Removed ${cleared.length} stale git lock file(s) from the shared clone of ${repo}`);
    try {
      return await this.setUpOnce(gitDir, folder, remote, options, names, git, hidden, pool);
    } catch (error) {
      if (!(error instanceof GitError || error instanceof GitFailed) || !(await exists(gitDir)) || (await this.usable(gitDir, git))) throw error;
      this.log?.warn({ repo, err: error }, `The shared clone of ${repo} is unusable; re-creating it from scratch`);
      await this.discardClone(gitDir, pool);
      return await this.setUpOnce(gitDir, folder, remote, options, names, git, hidden, pool);
    }
  }

  /**
   * Removes the lock files a killed git left in the clone: `*.lock` under `refs/`, the clone's own
   * (`index.lock`, `packed-refs.lock` and its `packed-refs.new`, `shallow.lock`, `config.lock`,
   * `HEAD.lock`) and its
   * worktrees' (`worktrees/<id>/index.lock`, `HEAD.lock`). Set-up runs under the repository's lock,
   * so when no git of ours runs in the clone none of them is held; otherwise (another run is
   * committing or pushing) only those older than any git of ours may run go. Only regular files
   * inside the clone are touched, symbolic links neither followed nor removed. Returns the removed
   * files, relative to the clone.
   */
  private async clearStaleLocks(gitDir: string): Promise<string[]> {
    if (!(await exists(gitDir))) return [];
    const candidates = TOP_LOCKS.map((file) => path.join(gitDir, file));
    candidates.push(...(await lockFilesUnder(path.join(gitDir, "refs"))));
    const worktrees = await readdir(path.join(gitDir, "worktrees"), { withFileTypes: true }).catch(() => []);
    for (const entry of worktrees) {
      if (entry.isDirectory()) candidates.push(...WORKTREE_LOCKS.map((file) => path.join(gitDir, "worktrees", entry.name, file)));
    }
    const idle = !running.has(gitDir);
    const removed: string[] = [];
    for (const file of candidates) {
      const relative = path.relative(gitDir, file);
      if (relative.startsWith("..") || path.isAbsolute(relative)) continue;
      const info = await lstat(file).catch(() => undefined);
      if (!info?.isFile()) continue;
      if (!idle && Date.now() - info.mtimeMs < STALE_LOCK_MS) continue;
      await rm(file, { force: true });
      removed.push(relative);
    }
    return removed.sort();
  }

  /**
   * A local check of the clone, no remote involved: git finds the repository, can read its refs
   * (loose and packed) and the object each points at. A failed fetch from a clone that passes is
   * the remote's failure (network, credentials) and is not cured by cloning again.
   */
  private async usable(gitDir: string, git: GitFn): Promise<boolean> {
    try {
      await git(["rev-parse", "--git-dir"], gitDir);
      await git(["for-each-ref", "--format=%(objectname) %(objecttype)"], gitDir);
      return true;
    } catch (error) {
      if (error instanceof GitError) return false;
      throw error;
    }
  }

  /**
   * Moves a broken clone aside (one rename, so a crash leaves no half-removed clone) and removes
   * it, with its idle worktrees, which were the broken clone's.
   */
  private async discardClone(gitDir: string, pool: WorktreePool): Promise<void> {
    const aside = `${gitDir}.broken-${randomBytes(6).toString("hex")}`;
    await rename(gitDir, aside);
    await rm(aside, { recursive: true, force: true });
    for (const worktree of pool.dropClone(gitDir)) await rm(worktree.dir, { recursive: true, force: true });
  }

  /**
   * Clones or fetches, clears the way and takes a worktree. A kept worktree is cleaned while the
   * clone fetches, and then only checked out at the run's start; when set-up fails, it goes back
   * to the pool unused.
   */
  private async setUpOnce(gitDir: string, folder: string, remote: string, options: PrepareOptions, names: () => Promise<void>, git: GitFn, hidden: HiddenAddresses, pool: WorktreePool): Promise<SetUp> {
    const { branch, repo } = options;
    const fetching = `Fetching ${repo} from its repository`;
    if (!(await exists(gitDir))) {
      await names();
      await plainly(fetching, hidden, () => this.clone(remote, gitDir, git));
      await this.clearWay(gitDir, branch, git, pool);
      const start = await this.startOf(gitDir, options, git, hidden);
      const dir = await this.takeWorktree(gitDir, folder, branch, start.baseSha, git, pool, repo);
      return { dir, branch, ...start, gitDir, git, repo, hidden, pool };
    }
    // Each git started holds the event loop a few milliseconds: the longest work starts first, the
    // cleaning, then the fetch, then the rest.
    const kept = pool.take(gitDir);
    const trusted = kept !== undefined && (await pointsInto(kept.dir, gitDir));
    const cleaning = (async () => {
      if (kept && !trusted) throw new BrokenWorktree("its .git is not the pointer into the clone that the app wrote");
      if (kept) await cleanWorktree(kept.dir, git);
    })();
    const starting = (async () => {
      await this.resetConfig(gitDir, remote, git);
      const fetched = plainly(fetching, hidden, () => git(["fetch", "--prune", "--no-tags", "--quiet", "origin"], gitDir, { timeoutMs: NETWORK_TIMEOUT_MS }));
      // All three run to their end before set-up goes on; a bad name is said before a failed fetch.
      await firstFailure([names(), fetched, this.clearWay(gitDir, branch, git, pool, kept?.dir)]);
      return this.startOf(gitDir, options, git, hidden);
    })();
    const [start, cleaned] = await Promise.allSettled([starting, cleaning]);
    if (start.status === "rejected") {
      if (kept) pool.untake(kept); // cleaned or not, it is cleaned again when next taken
      throw start.reason;
    }
    let ready = kept;
    if (kept && cleaned.status === "rejected") {
      this.log?.warn({ repo, err: cleaned.reason }, `A kept worktree of ${repo} could not be reset; removing it and using another`);
      await removeWorktree(kept.dir, gitDir, git).finally(() => pool.release(kept.dir));
      ready = undefined;
    }
    const dir = await this.takeWorktree(gitDir, folder, branch, start.value.baseSha, git, pool, repo, ready);
    return { dir, branch, ...start.value, gitDir, git, repo, hidden, pool };
  }

  /** Where the run starts: its branch on the remote (a retry), else `startRef`, else the base branch. */
  private async startOf(gitDir: string, options: PrepareOptions, git: GitFn, hidden: HiddenAddresses): Promise<Pick<SetUp, "baseSha" | "reusedBranch" | "forkPoint">> {
    const { branch, baseBranch, repo } = options;
    const [branchTip, baseTip] = await this.tips(gitDir, [branch, baseBranch], git);
    const startTip = options.startRef && branchTip === undefined ? await this.fetchStart(gitDir, options.startRef, options.runId, git, hidden) : undefined;
    const baseSha = branchTip ?? startTip ?? baseTip;
    if (baseSha === undefined) throw new UserFacingError(`The repository ${repo} has no branch ${baseBranch} to start from.`);
    // commits() lists what the branch adds to the base, earlier runs' commits included.
    let forkPoint = baseSha;
    if (branchTip !== undefined && baseTip !== undefined) {
      const mergeBase = await git(["merge-base", branchTip, baseTip], gitDir, { okCodes: [1] });
      forkPoint = mergeBase.stdout.trim() || baseSha;
    }
    return { baseSha, reusedBranch: branchTip !== undefined, forkPoint };
  }

  /**
   * The commits the remote-tracking branches `names` point at (undefined for one that is not
   * there), as `rev-parse --verify <ref>^{commit}` reads them, from one git: a branch on a commit,
   * or on a tag of one, is read from the listing; anything else is left to rev-parse.
   */
  private async tips(gitDir: string, names: readonly string[], git: GitFn): Promise<(string | undefined)[]> {
    const refs = names.map((name) => `refs/remotes/origin/${name}`);
    const listed = await git(["for-each-ref", "--format=%(refname)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)", "--", ...refs], gitDir);
    const found = new Map<string, string[]>();
    // A pattern also matches the refs below it (origin/main/x): only the ref itself counts.
    for (const line of listed.stdout.split("\n")) {
      const [ref = "", ...fields] = line.split("\0");
      if (refs.includes(ref)) found.set(ref, fields);
    }
    return Promise.all(
      refs.map(async (ref) => {
        const fields = found.get(ref);
        if (!fields) return undefined;
        const [type, sha, peeledType, peeled] = fields;
        if (type === "commit") return sha;
        if (type === "tag" && peeledType === "commit") return peeled;
        const parsed = await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], gitDir, { okCodes: [1] });
        return parsed.code === 0 ? parsed.stdout.trim() : undefined;
      }),
    );
  }

  /**
   * A worktree on `branch` at `sha` for one run: `cleaned`, a kept worktree already cleaned for
   * this run, checked out; else the most recently used idle one of the repository, reset; else a
   * new one. A kept worktree that cannot be reset (or whose `.git` is not the app's pointer) is
   * removed, said in the log, and the next one tried.
   */
  private async takeWorktree(gitDir: string, folder: string, branch: string, sha: string, git: GitFn, pool: WorktreePool, repo: string, cleaned?: PooledWorktree): Promise<string> {
    const reset = (kept: PooledWorktree) => (kept === cleaned ? checkoutWorktree(kept.dir, branch, sha, git) : resetWorktree(kept.dir, gitDir, branch, sha, git));
    for (let kept = cleaned ?? pool.take(gitDir); kept; kept = pool.take(gitDir)) {
      try {
        await reset(kept);
        return kept.dir;
      } catch (error) {
        this.log?.warn({ repo, err: error }, `A kept worktree of ${repo} could not be reset; removing it and using another`);
        await removeWorktree(kept.dir, gitDir, git).finally(() => pool.release(kept.dir));
      }
    }
    const dir = await pool.reserve(folder);
    try {
      await addWorktree(dir, gitDir, branch, sha, git);
      return dir;
    } catch (error) {
      await removeWorktree(dir, gitDir, git).finally(() => pool.release(dir));
      throw error;
    }
  }

  /** Fetches `ref` of the remote into a ref of this run's own; its commit. */
  private async fetchStart(gitDir: string, ref: string, runId: string, git: GitFn, hidden: HiddenAddresses): Promise<string> {
    if (!/^refs\/pull\/\d+\/head$/.test(ref)) throw new Error(`Invalid start ref: ${ref}`);
    const local = `refs/ai-agent/start/${runId}`;
    await plainly(`Fetching ${ref} from the repository`, hidden, () => git(["fetch", "--no-tags", "--quiet", "origin", `+${ref}:${local}`], gitDir, { timeoutMs: NETWORK_TIMEOUT_MS }));
    return (await git(["rev-parse", "--verify", `${local}^{commit}`], gitDir)).stdout.trim();
  }

  /** A bare partial clone, made aside and renamed into place so that a failed clone leaves nothing. */
  private async clone(remote: string, gitDir: string, git: GitFn): Promise<void> {
    await mkdir(path.dirname(gitDir), { recursive: true });
    const temp = `${gitDir}.tmp-${randomBytes(6).toString("hex")}`;
    try {
      await git(["clone", "--bare", "--quiet", "--filter=blob:none", "--no-tags", "--", remote, temp], path.dirname(gitDir), {
        timeoutMs: NETWORK_TIMEOUT_MS,
      });
      await this.resetConfig(temp, remote, git);
      // The bare clone put the remote's branches under refs/heads; move them to remote-tracking refs.
      const refs = await git(["for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/"], temp);
      const moves = refs.stdout
        .split("\n")
        .filter(Boolean)
        .map((line) => {
          const [sha = "", ref = ""] = line.split(" ");
          const short = ref.slice("refs/heads/".length);
          return `create refs/remotes/origin/${short} ${sha}\ndelete ${ref} ${sha}\n`;
        });
      if (moves.length) await git(["update-ref", "--stdin"], temp, { input: moves.join("") });
      await rename(temp, gitDir);
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Writes the clone's configuration afresh, and empties its hooks and attributes, at every
   * set-up: whatever got into the shared clone (a test script's `core.fsmonitor`, a filter, a
   * hook) does not outlive the run that put it there. Values go in through `git config --file`,
   * which quotes them, the first time for a remote; later set-ups write the file git wrote then.
   */
  private async resetConfig(gitDir: string, remote: string, git: GitFn): Promise<void> {
    const file = path.join(gitDir, "config");
    const cleared = Promise.all([rm(path.join(gitDir, "hooks"), { recursive: true, force: true }), rm(path.join(gitDir, "info", "attributes"), { force: true })]);
    const known = configs.get(remote);
    if (known !== undefined) {
      // The bytes git wrote for this remote before: the same file, without five gits to write it.
      await writeFile(file, known);
    } else {
      await writeFile(file, "[core]\n\trepositoryformatversion = 1\n\tfilemode = true\n\tbare = true\n");
      const settings: [string, string][] = [
        ["remote.origin.url", remote],
        ["remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*"],
        ["remote.origin.tagOpt", "--no-tags"],
        ["remote.origin.promisor", "true"],
        ["remote.origin.partialclonefilter", "blob:none"],
      ];
      for (const [key, value] of settings) await git(["config", "--file", file, key, value], gitDir);
      configs.set(remote, await readFile(file, "utf8"));
    }
    await cleared;
  }

  /**
   * Clears `branch` for this run: git checks a branch out in one worktree at a time. A kept
   * worktree still on it (its run crashed before giving it back) is taken off it; a worktree
   * outside the pool on it (left by an earlier layout) is removed; a run's worktree on it means
   * another run works on the branch now. `mine`, a kept worktree this run took, is left as it is:
   * the run's checkout there takes the branch.
   */
  private async clearWay(gitDir: string, branch: string, git: GitFn, pool: WorktreePool, mine?: string): Promise<void> {
    let list = (await git(["worktree", "list", "--porcelain", "-z"], gitDir)).stdout;
    const entries = () => list.split("\0\0").map((entry) => entry.split("\0"));
    // A registration whose worktree is gone would keep its branch from being checked out anywhere.
    if (entries().some((fields) => fields.some((f) => f === "prunable" || f.startsWith("prunable ")))) {
      await git(["worktree", "prune"], gitDir);
      list = (await git(["worktree", "list", "--porcelain", "-z"], gitDir)).stdout;
    }
    for (const fields of entries()) {
      const where = fields.find((f) => f.startsWith("worktree "))?.slice("worktree ".length);
      if (!where || where === gitDir || where === mine || !fields.includes(`branch refs/heads/${branch}`)) continue;
      if (pool.isTaken(where)) throw new Error(`Branch ${branch} is in use by the workspace at ${where}`);
      if (pool.isIdle(where)) await git(["checkout", "--quiet", "--detach"], where);
      else await removeWorktree(where, gitDir, git);
    }
  }

  /**
   * Empties the run's worktree and gives it to the pool, or removes it (the pool keeps none, or it
   * could not be emptied); then removes what the pool let go past its bounds, each under its own
   * repository's lock, taken after this one's is released.
   */
  private async giveBack({ dir, gitDir, branch, git, repo, pool, home }: Prepared): Promise<void> {
    const evicted = await withLock(gitDir, async () => {
      if (this.limits.perRepo > 0) {
        try {
          await emptyWorktree(dir, gitDir, branch, git);
          return pool.keep({ dir, gitDir, bytes: await diskUsage(dir) }, this.limits);
        } catch (error) {
          this.log?.warn({ repo, err: error }, `A worktree of ${repo} could not be emptied after its run; removing it`);
        }
      }
      await removeWorktree(dir, gitDir, git).finally(() => pool.release(dir));
      // The branch lives on the remote once pushed; the local copy would only pin objects.
      await git(["branch", "--quiet", "-D", branch], gitDir, { okCodes: [1] }).catch(() => undefined);
      return [];
    });
    for (const worktree of evicted) await this.evict(worktree, home);
  }

  /** The run's view of its prepared worktree; `released` is called once it has been given back. */
  private workspace(state: Prepared, released: () => void): Workspace {
    const { dir, branch, baseSha, reusedBranch, forkPoint, git, repo, hidden } = state;
    let disposed: Promise<void> | undefined;
    const changedFiles = (): Promise<string[]> => plainly(`Reading the changes in the working copy of ${repo}`, hidden, async () => {
      const status = await git(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"], dir, {
        extra: { GIT_OPTIONAL_LOCKS: "0" },
      });
      const files = status.stdout.split("\0").filter(Boolean).map((entry) => entry.slice(3));
      return [...new Set(files)].sort();
    });
    return {
      dir,
      branch,
      baseSha,
      reusedBranch,
      changedFiles,
      discard: (reject) => plainly(`Undoing changes in the working copy of ${repo}`, hidden, async () => {
        const rejected = (await changedFiles()).filter((file) => reject(file));
        for (const file of rejected) {
          const tracked = await git(["cat-file", "-e", `HEAD:${file}`], dir, { okCodes: [128] });
          if (tracked.code === 0) await git(["checkout", "--quiet", "HEAD", "--", file], dir);
          else await rm(path.join(dir, file), { recursive: true, force: true });
        }
        return rejected;
      }),
      commit: (message, author) => plainly(`Committing the changes on the branch ${branch}`, hidden, async () => {
        if ((await changedFiles()).length === 0) return undefined;
        const identity = {
          GIT_AUTHOR_NAME: author.name,
          GIT_AUTHOR_EMAIL: author.email,
          GIT_COMMITTER_NAME: author.name,
          GIT_COMMITTER_EMAIL: author.email,
        };
        await git(["add", "--all"], dir);
        await git(["commit", "--quiet", "--no-verify", "--no-gpg-sign", "--cleanup=whitespace", "--file=-"], dir, {
          input: message,
          extra: identity,
        });
        return (await git(["rev-parse", "HEAD"], dir)).stdout.trim();
      }),
      commits: () => plainly(`Listing the commits on the branch ${branch}`, hidden, async () => {
        const log = await git(["log", "--reverse", "--format=%H %s", `${forkPoint}..HEAD`, "--"], dir);
        return log.stdout
          .split("\n")
          .filter(Boolean)
          .map((line) => ({ sha: line.slice(0, line.indexOf(" ")), subject: line.slice(line.indexOf(" ") + 1) }));
      }),
      head: () => plainly(`Reading the last commit on the branch ${branch}`, hidden, async () => {
        const shown = await git(["log", "-1", "--format=%H%n%B", "HEAD", "--"], dir);
        const [sha = "", ...message] = shown.stdout.split("\n");
        return { sha: sha.trim(), message: message.join("\n") };
      }),
      // No external diff driver or textconv filter: the repository's attributes do not pick what runs.
      diff: () => plainly(`Reading the changes on the branch ${branch}`, hidden, async () => {
        const args = ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", "--unified=3", "--src-prefix=a/", "--dst-prefix=b/", forkPoint, "HEAD", "--"];
        return (await git(args, dir, { timeoutMs: NETWORK_TIMEOUT_MS })).stdout;
      }),
      push: (freshToken) => plainly(`Pushing the branch ${branch} to ${repo}`, hidden, async () => {
        const sha = (await git(["rev-parse", "HEAD"], dir)).stdout.trim();
        await git(["push", "--quiet", "--no-verify", "origin", `${sha}:refs/heads/${branch}`], dir, {
          timeoutMs: NETWORK_TIMEOUT_MS,
          ...(freshToken ? { token: freshToken } : {}),
        });
        return sha;
      }),
      dispose: () => {
        disposed ??= this.giveBack(state)
          .then(released)
          .catch((error: unknown) => {
            disposed = undefined; // let a later call try again
            throw error;
          });
        return disposed;
      },
    };
  }
}
