/**
 * The worktrees kept between runs, so that a run starts from a checked-out tree instead of writing
 * every file of the repository again. Each repository's clone keeps at most `perRepo` idle
 * worktrees at `${cacheDir}/pool/<owner>/<repo>/<n>`, and all the idle worktrees of the cache
 * together take at most `maxBytes` of disk, measured when each is given back; past either bound
 * the least recently used go. A worktree is handed to one run at a time; when every kept one is
 * in use a run gets a new one, kept afterwards only within the bounds.
 *
 * This is the bookkeeping alone: which worktree is idle, taken or due for removal. Resetting and
 * removing them is git's work, in worktree-reset.ts; both run under the repository's lock.
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { diskUsage } from "./disk-usage.js";

export interface PoolLimits {
  /** Idle worktrees kept per repository; 0 keeps none (each run's worktree is removed at its end). */
  perRepo: number;
  /** The disk all idle worktrees of the cache may take together, in bytes. */
  maxBytes: number;
}

/** Two per repository: a run and a follow-up on the same repository overlap now and then. */
export const DEFAULT_POOL_LIMITS: PoolLimits = { perRepo: 2, maxBytes: 10 * 1024 ** 3 };

export interface PooledWorktree {
  dir: string;
  /** The clone the worktree belongs to. */
  gitDir: string;
  /** Measured when it was last given back (or found on disk at start). */
  bytes: number;
  /** When it was last given back, in ms since the epoch: the order of eviction. */
  lastUsed: number;
}

export class WorktreePool {
  /** Idle worktrees by clone, least recently used first. */
  private readonly idle = new Map<string, PooledWorktree[]>();
  /** Directories handed to a run (or being created for one), not given back yet. */
  private readonly taken = new Set<string>();
  private found: Promise<void> | undefined;

  /**
   * @param home the cache directory (realpath): clones under `repos/`, worktrees under `pool/`.
   * @param now the clock, for the order of eviction.
   */
  constructor(
    private readonly home: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The directory of `owner/repo`'s worktrees. */
  folderOf(owner: string, name: string): string {
    return path.join(this.home, "pool", owner, name);
  }

  /**
   * Once per process, adopts the worktrees an earlier process left in the pool's folder as idle
   * (they are reset before any run gets one, like every other) and removes, with `remove`, those
   * past the bounds. Every caller waits for the same pass.
   */
  discover(limits: PoolLimits, remove: (worktree: PooledWorktree) => Promise<void>): Promise<void> {
    this.found ??= this.scan().then(async (worktrees) => {
      for (const worktree of worktrees.sort((a, b) => a.lastUsed - b.lastUsed)) this.listFor(worktree.gitDir).push(worktree);
      for (const worktree of this.evictions(limits)) await remove(worktree);
    });
    return this.found;
  }

  /** Hands the most recently used idle worktree of the clone to a run, if there is one. */
  take(gitDir: string): PooledWorktree | undefined {
    const worktree = this.idle.get(gitDir)?.pop();
    if (worktree) this.taken.add(worktree.dir);
    return worktree;
  }

  /** Gives a taken worktree back as idle as it was, unused: where it stood in the order of eviction. */
  untake(worktree: PooledWorktree): void {
    this.taken.delete(worktree.dir);
    const list = this.listFor(worktree.gitDir);
    const at = list.findIndex((other) => other.lastUsed > worktree.lastUsed);
    list.splice(at < 0 ? list.length : at, 0, worktree);
  }

  /** Reserves a new directory in `folder` for a run: the lowest number neither in use nor on disk. */
  async reserve(folder: string): Promise<string> {
    for (let n = 1; ; n++) {
      const dir = path.join(folder, String(n));
      if (this.taken.has(dir) || this.isIdle(dir)) continue;
      if (await stat(dir).then(() => true, () => false)) continue;
      // Checked again: the stat above let other work run.
      if (this.taken.has(dir) || this.isIdle(dir)) continue;
      this.taken.add(dir);
      return dir;
    }
  }

  /** Whether a run holds `dir`. */
  isTaken(dir: string): boolean {
    return this.taken.has(dir);
  }

  isIdle(dir: string): boolean {
    for (const list of this.idle.values()) if (list.some((worktree) => worktree.dir === dir)) return true;
    return false;
  }

  /** A taken worktree that is gone (removed, or never made): forgotten. */
  release(dir: string): void {
    this.taken.delete(dir);
  }

  /**
   * Takes a worktree back as idle, now, at its measured size; returns the worktrees that are past
   * the bounds as a result (possibly this one), already out of the pool, for the caller to remove.
   */
  keep(worktree: Omit<PooledWorktree, "lastUsed">, limits: PoolLimits): PooledWorktree[] {
    this.taken.delete(worktree.dir);
    this.listFor(worktree.gitDir).push({ ...worktree, lastUsed: this.now() });
    return this.evictions(limits);
  }

  /** Forgets every idle worktree of a clone (being re-created); returns them for removal. */
  dropClone(gitDir: string): PooledWorktree[] {
    const dropped = this.idle.get(gitDir) ?? [];
    this.idle.delete(gitDir);
    return dropped;
  }

  /** The idle worktrees of a clone, least recently used first. */
  idleOf(gitDir: string): readonly PooledWorktree[] {
    return this.idle.get(gitDir) ?? [];
  }

  /** The disk all idle worktrees take, as last measured. */
  idleBytes(): number {
    let bytes = 0;
    for (const list of this.idle.values()) for (const worktree of list) bytes += worktree.bytes;
    return bytes;
  }

  /** Takes out of the pool, and returns, what is past the bounds: each clone's oldest, then the oldest of all. */
  private evictions(limits: PoolLimits): PooledWorktree[] {
    const evicted: PooledWorktree[] = [];
    for (const list of this.idle.values()) evicted.push(...list.splice(0, Math.max(0, list.length - limits.perRepo)));
    let bytes = this.idleBytes();
    while (bytes > limits.maxBytes) {
      let oldest: PooledWorktree[] | undefined;
      for (const list of this.idle.values()) {
        const first = list[0];
        if (first && (!oldest?.[0] || first.lastUsed < oldest[0].lastUsed)) oldest = list;
      }
      const victim = oldest?.shift();
      if (!victim) break;
      evicted.push(victim);
      bytes -= victim.bytes;
    }
    for (const [gitDir, list] of this.idle) if (list.length === 0) this.idle.delete(gitDir);
    return evicted;
  }

  private listFor(gitDir: string): PooledWorktree[] {
    let list = this.idle.get(gitDir);
    if (!list) this.idle.set(gitDir, (list = []));
    return list;
  }

  /** The worktrees in `pool/<owner>/<repo>/<n>`, measured, last used when last changed. */
  private async scan(): Promise<PooledWorktree[]> {
    const found: PooledWorktree[] = [];
    const dirs = async (where: string) => (await readdir(where, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).map((e) => e.name);
    const root = path.join(this.home, "pool");
    for (const owner of await dirs(root)) {
      for (const name of await dirs(path.join(root, owner))) {
        for (const slot of await dirs(path.join(root, owner, name))) {
          const dir = path.join(root, owner, name, slot);
          if (this.taken.has(dir)) continue;
          const info = await stat(dir);
          found.push({ dir, gitDir: path.join(this.home, "repos", owner, `${name}.git`), bytes: await diskUsage(dir), lastUsed: info.mtimeMs });
        }
      }
    }
    return found;
  }
}
