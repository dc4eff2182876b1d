import { lstat, readdir } from "node:fs/promises";
import path from "node:path";

/**
 * The bytes `dir` takes on disk: the blocks allocated to it and everything under it, symbolic
 * links counted as themselves and never followed. What a file system reports, not the files'
 * lengths, because the pool's bound is about the disk it fills.
 */
export async function diskUsage(dir: string): Promise<number> {
  const top = await lstat(dir).catch(() => undefined);
  if (!top) return 0;
  const entries = top.isDirectory() ? await readdir(dir, { recursive: true }) : [];
  let bytes = top.blocks * 512;
  // Batches keep the number of open stat calls bounded on a tree of tens of thousands of files.
  for (let i = 0; i < entries.length; i += 256) {
    const stats = await Promise.all(entries.slice(i, i + 256).map((entry) => lstat(path.join(dir, entry)).catch(() => undefined)));
    for (const info of stats) bytes += (info?.blocks ?? 0) * 512;
  }
  return bytes;
}
