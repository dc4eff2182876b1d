import { lstat, readdir } from "node:fs/promises";
import path from "node:path";

/**
 * The bytes `dir` takes on disk: the blocks allocated to it and everything under it, symbolic
 * links counted as themselves and never followed. What a file system reports, not the files'
 * lengths, because the pool's bound is about the disk it fills.
 *
 * The walk is our own: Node 20's `readdir(…, { recursive: true })` follows symbolic links to
 * directories, so a link to `/` in a worktree would have it measure the whole machine.
 */
export async function diskUsage(dir: string): Promise<number> {
  const top = await lstat(dir).catch(() => undefined);
  if (!top) return 0;
  let bytes = top.blocks * 512;
  const pending = top.isDirectory() ? [dir] : [];
  while (pending.length > 0) {
    // A batch of directories at a time keeps the open stat calls bounded on a tree of tens of thousands of files.
    const batch = pending.splice(0, 32);
    const listings = await Promise.all(batch.map(async (where) => (await readdir(where, { withFileTypes: true }).catch(() => [])).map((entry) => ({ where, entry }))));
    const entries = listings.flat();
    for (let i = 0; i < entries.length; i += 256) {
      const stats = await Promise.all(entries.slice(i, i + 256).map(({ where, entry }) => lstat(path.join(where, entry.name)).catch(() => undefined)));
      stats.forEach((info, j) => {
        const found = entries[i + j];
        if (!info || !found) return;
        bytes += info.blocks * 512;
        if (info.isDirectory()) pending.push(path.join(found.where, found.entry.name));
      });
    }
  }
  return bytes;
}
