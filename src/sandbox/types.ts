/**
 * The execution boundary's interface. Every process a run starts for repository or model code —
 * the agent's shell and named commands, `shell.run`, the built-in workflows' install/test/lint —
 * goes through a Sandbox; nothing else in the app spawns such a process.
 */

export type SandboxKind = "bubblewrap" | "host" | "none";

export interface ExecOptions {
  /** The run's worktree on the host; inside the sandbox it is `/repo`, the only writable place. */
  workspace: string;
  /** The working directory, relative to the workspace (or `/repo/…`); the workspace by default. */
  cwd?: string;
  /** Variables on top of the allow-listed base (PATH, HOME, LANG, CI=true, TMPDIR). */
  env?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Written to the command's standard input, which is closed after it (empty when absent). */
  stdin?: string;
  /** The command asks for network access; granted only where the server's policy allows it. */
  network?: boolean;
  /** The most bytes kept of stdout and of stderr (the end is kept); 64 KiB by default. */
  maxOutputBytes?: number;
}

export interface ExecResult {
  /** null when the command was killed (timeout, abort, a limit) or never started. */
  exitCode: number | null;
  /** The signal that ended it, when one did. */
  signal?: string;
  stdout: string;
  stderr: string;
  /** Bytes dropped from the start of each stream to keep within maxOutputBytes. */
  droppedBytes: { stdout: number; stderr: number };
  timedOut: boolean;
  /** Ended by the caller's abort signal. */
  aborted: boolean;
  durationMs: number;
}

/** A long-lived process in the sandbox (the agent's shell), read and written as a stream. */
export interface SandboxProcess {
  write(text: string): void;
  /** Called with each chunk of stdout and stderr, in arrival order. */
  onOutput(listener: (chunk: string) => void): void;
  /** Resolves when the process (and, in a sandbox, everything it started) is gone. */
  readonly exited: Promise<{ exitCode: number | null; signal?: string }>;
  /** Ends the process and everything it started. */
  kill(): void;
}

export type SpawnOptions = Omit<ExecOptions, "timeoutMs" | "stdin" | "maxOutputBytes"> & {
  /** The CPU time each of its processes may use (seconds); an hour by default. */
  cpuSeconds?: number;
};

export interface SandboxStatus {
  kind: SandboxKind;
  /** "working", "unsandboxed" (host), or "unavailable: <why>". */
  status: string;
  network: "deny" | "allow";
}

export interface Sandbox {
  readonly kind: SandboxKind;
  describe(): SandboxStatus;
  /** Runs one command to its end; throws SandboxUnavailable when no sandbox can run it. */
  exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult>;
  /** Starts a long-lived process (stdin open); throws SandboxUnavailable likewise. */
  spawn(argv: readonly string[], options: SpawnOptions): SandboxProcess;
  /**
   * Makes a workspace writable for the sandbox's user. When the app runs as root, sandboxed
   * commands run as an unprivileged uid (so process limits hold), and the worktree is handed to it.
   */
  adopt(workspace: string): Promise<void>;
  /** The uid/gid files the app writes for the sandbox must belong to; undefined when it is the app's own. */
  readonly owner: { uid: number; gid: number } | undefined;
}
