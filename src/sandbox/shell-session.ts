import { randomBytes } from "node:crypto";
import { TailBuffer } from "./process.js";
import type { Sandbox, SandboxProcess } from "./types.js";

/**
 * A persistent bash in the sandbox, as Anthropic's bash tool expects: the working directory,
 * variables and functions carry from one command to the next, and `restart` gives a fresh shell.
 * Each command is handed over in a quoted here-document under a random delimiter and run by
 * `eval` with stdin from /dev/null, so neither its text nor a program reading stdin can swallow
 * the end marker that follows it; an unfinished quote is eval's syntax error, not a hang. A command
 * that runs past its time limit ends the whole shell — everything it started goes with it — and the
 * next command starts a new one.
 */

export interface ShellOptions {
  workspace: string;
  network?: boolean;
  env?: Record<string, string>;
}

export interface ShellResult {
  output: string;
  exitCode: number | null;
  timedOut: boolean;
  /** The shell ended (timeout, `exit`, a limit); the next command gets a new one. */
  ended: boolean;
  durationMs: number;
}

const MARKER = "__AI_AGENT_DONE_";

export class ShellSession {
  private shell?: { process: SandboxProcess; listeners: Set<(chunk: string) => void>; alive: boolean };

  constructor(
    private readonly sandbox: Sandbox,
    private readonly options: ShellOptions,
  ) {}

  private start(timeoutMs: number) {
    const process = this.sandbox.spawn(["bash", "--noprofile", "--norc"], {
      workspace: this.options.workspace,
      env: { TERM: "dumb", PAGER: "cat", GIT_PAGER: "cat", ...this.options.env },
      ...(this.options.network ? { network: true } : {}),
      // Inherited by what the shell starts: each command's processes get this much CPU time.
      cpuSeconds: Math.ceil(timeoutMs / 1000) * 2 + 1,
    });
    const shell = { process, listeners: new Set<(chunk: string) => void>(), alive: true };
    process.onOutput((chunk) => {
      for (const listener of shell.listeners) listener(chunk);
    });
    void process.exited.then(() => (shell.alive = false));
    this.shell = shell;
    return shell;
  }

  async run(command: string, limits: { timeoutMs: number; maxOutputBytes: number; signal?: AbortSignal }): Promise<ShellResult> {
    const started = Date.now();
    const shell = this.shell?.alive ? this.shell : this.start(limits.timeoutMs);
    const nonce = randomBytes(12).toString("hex");
    const output = new TailBuffer(limits.maxOutputBytes);
    const done = new RegExp(`\\n${MARKER}${nonce}_(\\d+)__\\n`);
    let pending = "";

    const outcome = await new Promise<{ exitCode: number | null; timedOut: boolean; ended: boolean }>((resolve) => {
      let settled = false;
      const finish = (result: { exitCode: number | null; timedOut: boolean; ended: boolean }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        limits.signal?.removeEventListener("abort", onAbort);
        shell.listeners.delete(listener);
        resolve(result);
      };
      // Text is held back until it cannot be the start of the marker, then kept (tail-bounded).
      const listener = (chunk: string) => {
        pending += chunk;
        const match = done.exec(pending);
        if (match) {
          output.push(Buffer.from(pending.slice(0, match.index)));
          finish({ exitCode: Number(match[1]), timedOut: false, ended: false });
          return;
        }
        const keep = MARKER.length + nonce.length + 16;
        if (pending.length > keep) {
          output.push(Buffer.from(pending.slice(0, -keep)));
          pending = pending.slice(-keep);
        }
      };
      shell.listeners.add(listener);
      const timer = setTimeout(() => {
        shell.process.kill();
        finish({ exitCode: null, timedOut: true, ended: true });
      }, limits.timeoutMs);
      const onAbort = () => {
        shell.process.kill();
        finish({ exitCode: null, timedOut: false, ended: true });
      };
      limits.signal?.addEventListener("abort", onAbort, { once: true });
      void shell.process.exited.then(({ exitCode }) => {
        if (settled) return;
        output.push(Buffer.from(pending));
        pending = "";
        finish({ exitCode, timedOut: false, ended: true });
      });
      const delimiter = `AI_AGENT_EOF_${nonce}`;
      shell.process.write(`__ai_agent_cmd=$(cat <<'${delimiter}'\n${command}\n${delimiter}\n)\neval "$__ai_agent_cmd" < /dev/null 2>&1\nprintf '\\n${MARKER}${nonce}_%s__\\n' "$?"\n`);
    });
    if (outcome.ended) this.dispose();
    const text = output.text();
    const cut = output.dropped > 0 ? `… (${output.dropped} bytes of earlier output cut)\n` : "";
    return { output: `${cut}${text}`, ...outcome, durationMs: Date.now() - started };
  }

  /** Ends the shell and everything it started; the next command starts a new one. */
  dispose(): void {
    this.shell?.process.kill();
    this.shell = undefined;
  }
}
