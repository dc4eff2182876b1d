import { execa, type ResultPromise } from "execa";
import type { ExecResult, SandboxProcess } from "./types.js";

/**
 * The one process runner under the sandbox (execa underneath). Every child starts in a process
 * group of its own and is ended with SIGKILL to the whole group, so a test runner's workers go
 * with it. A command is over when its process exits: output still held open by a stray child
 * (a daemon that escaped the group on the host) is cut 100 ms later instead of holding the
 * caller forever. Inside bubblewrap the command's PID namespace dies with bwrap, which takes
 * every process it started with it, `setsid` or not.
 */

export interface ProcessSpec {
  file: string;
  args: readonly string[];
  cwd: string;
  /** The child's whole environment; nothing is inherited. */
  env: Record<string, string>;
  uid?: number;
  gid?: number;
  /** Open file descriptors handed to the child as fd 3, 4, … (bwrap's --bind-fd). */
  fds?: readonly number[];
}

export const DEFAULT_MAX_OUTPUT = 64 * 1024;
const STREAM_GRACE_MS = 100;

/** Keeps the last `limit` bytes written to it, counting what it dropped. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  dropped = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 0) {
      const first = this.chunks[0]!;
      const excess = this.size - this.limit;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
        this.dropped += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
        this.dropped += excess;
      }
    }
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

function start(spec: ProcessSpec, stdin: "pipe" | "ignore"): ResultPromise {
  return execa(spec.file, [...spec.args], {
    cwd: spec.cwd,
    env: spec.env,
    extendEnv: false,
    // execa passes a number in an extra stdio slot through as that descriptor; its types only
    // name the stream kinds, hence the cast.
    stdio: [stdin, "pipe", "pipe", ...((spec.fds ?? []) as unknown as "inherit"[])],
    buffer: false,
    reject: false,
    detached: true,
    cleanup: true,
    forceKillAfterDelay: false,
    ...(spec.uid === undefined ? {} : { uid: spec.uid }),
    ...(spec.gid === undefined ? {} : { gid: spec.gid }),
  });
}

function killGroup(child: ResultPromise): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

/** Waits for the process to exit, then gives its pipes a moment to drain and closes them. */
function settle(child: ResultPromise): Promise<{ exitCode: number | null; signal?: string; startError?: string }> {
  return new Promise((resolve) => {
    child.once("exit", () => {
      const done = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, STREAM_GRACE_MS);
      done.unref();
    });
    void child.then((result) => {
      // What it left in its group (the host backend) goes too.
      killGroup(child);
      const startError = result.exitCode === undefined && !result.signal ? result.shortMessage : undefined;
      resolve({ exitCode: result.exitCode ?? null, ...(result.signal ? { signal: result.signal } : {}), ...(startError ? { startError } : {}) });
    });
  });
}

export interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  stdin?: string;
  maxOutputBytes?: number;
}

export async function runProcess(spec: ProcessSpec, options: RunOptions): Promise<ExecResult> {
  const started = Date.now();
  const limit = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const stdout = new TailBuffer(limit);
  const stderr = new TailBuffer(limit);
  let timedOut = false;
  let aborted = false;
  if (options.signal?.aborted) {
    return { exitCode: null, stdout: "", stderr: "", droppedBytes: { stdout: 0, stderr: 0 }, timedOut: false, aborted: true, durationMs: 0 };
  }
  const child = start(spec, options.stdin === undefined ? "ignore" : "pipe");
  child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
  if (child.stdin) {
    child.stdin.on("error", () => {}); // it may exit before reading; its exit code tells
    child.stdin.end(options.stdin ?? "");
  }
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child);
  }, options.timeoutMs);
  const onAbort = () => {
    aborted = true;
    killGroup(child);
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const ended = await settle(child);
  clearTimeout(timer);
  options.signal?.removeEventListener("abort", onAbort);
  if (ended.startError) stderr.push(Buffer.from(`could not start ${spec.file}: ${ended.startError}\n`));
  return {
    exitCode: timedOut || aborted ? null : ended.startError ? 127 : ended.exitCode,
    ...(ended.signal ? { signal: ended.signal } : {}),
    stdout: stdout.text(),
    stderr: stderr.text(),
    droppedBytes: { stdout: stdout.dropped, stderr: stderr.dropped },
    timedOut,
    aborted,
    durationMs: Date.now() - started,
  };
}

/** A long-lived child with its stdin open: the agent's shell session. */
export function startProcess(spec: ProcessSpec): SandboxProcess {
  const child = start(spec, "pipe");
  const listeners: ((chunk: string) => void)[] = [];
  const emit = (text: string) => {
    for (const listener of listeners) listener(text);
  };
  // Decoded per stream, so a character split across two chunks arrives whole.
  child.stdout?.setEncoding("utf8").on("data", emit);
  child.stderr?.setEncoding("utf8").on("data", emit);
  child.stdin?.on("error", () => {});
  const exited = settle(child).then(({ exitCode, signal }) => ({ exitCode, ...(signal ? { signal } : {}) }));
  return {
    write: (text) => {
      if (child.stdin?.writable) child.stdin.write(text);
    },
    onOutput: (listener) => listeners.push(listener),
    exited,
    kill: () => killGroup(child),
  };
}
