import { Worker } from "node:worker_threads";

/**
 * Runs the model's regular expression over files in a worker thread with a deadline. A JavaScript
 * RegExp backtracks, and a pattern like `(a+)+$` can run for hours on one line; on the main thread
 * that would stall every webhook, `/healthz` and run. Terminating the worker stops V8 mid-match.
 *
 * The worker's code is a plain JS string run with `eval: true`, so the same code works under
 * vitest (TypeScript source, no compiled worker file) and in production (compiled `lib/`).
 */

/** How long one search may run before it is stopped. */
export const SEARCH_DEADLINE_MS = 10_000;
/** The worker's heap: enough for a 1 MB file's lines, not enough to hurt the app. */
const WORKER_HEAP_MB = 256;

export interface SearchJob {
  /** Files as the main thread resolved them through the path policy: real absolute paths, and the names shown. */
  files: { absolute: string; shown: string }[];
  pattern: string;
  flags: string;
  limit: number;
  maxLine: number;
  maxBytes: number;
}

export type SearchResult = { kind: "done"; lines: string[]; total: number } | { kind: "timeout" };

/*
 * The worker re-checks each file rather than trusting the list: between listing and reading, a
 * file or one of its directories could have become a link. It opens with O_NOFOLLOW (and
 * O_NONBLOCK, so a FIFO cannot hang it) and then asks /proc/self/fd where the descriptor really is,
 * which covers every component of the path, not only the last as an lstat would; the path must be
 * exactly the one it was handed. Without /proc (macOS) it compares the path's real location and
 * inode with the descriptor's. Files that fail, and binary or oversized ones, are skipped.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const { files, pattern, flags, limit, maxLine, maxBytes } = workerData;
const regex = new RegExp(pattern, flags);

function located(fd, absolute, info) {
  try {
    return fs.readlinkSync("/proc/self/fd/" + fd) === absolute;
  } catch {
    const named = fs.lstatSync(absolute);
    return fs.realpathSync(absolute) === absolute && named.dev === info.dev && named.ino === info.ino;
  }
}

function readChecked(absolute) {
  let fd;
  try {
    fd = fs.openSync(absolute, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const info = fs.fstatSync(fd);
    if (!info.isFile() || info.size > maxBytes || !located(fd, absolute, info)) return undefined;
    const buffer = fs.readFileSync(fd);
    return buffer.includes(0) ? undefined : buffer.toString("utf8");
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

const lines = [];
let total = 0;
for (const file of files) {
  const text = readChecked(file.absolute);
  if (text === undefined) continue;
  const rows = text.split("\\n");
  for (let index = 0; index < rows.length; index++) {
    const line = rows[index];
    if (!regex.test(line)) continue;
    total++;
    if (lines.length < limit) lines.push(file.shown + ":" + (index + 1) + ": " + (line.length > maxLine ? line.slice(0, maxLine) + "\\u2026" : line));
  }
}
parentPort.postMessage({ lines, total });
`;

export function runSearch(job: SearchJob, deadlineMs = SEARCH_DEADLINE_MS): Promise<SearchResult> {
  return new Promise((resolve, reject) => {
    // No environment: the worker reads files, and needs none of the app's secrets.
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: job, env: {}, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    let settled = false;
    // The worker is terminated before the promise settles, so a stopped search no longer holds a CPU.
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.terminate().then(finish, finish);
    };
    const timer = setTimeout(() => settle(() => resolve({ kind: "timeout" })), deadlineMs);
    worker.once("message", (result: { lines: string[]; total: number }) => settle(() => resolve({ kind: "done", ...result })));
    worker.once("error", (error) => settle(() => reject(error)));
    worker.once("exit", (code) => settle(() => reject(new Error(`the search worker exited with code ${code} before answering`))));
  });
}
