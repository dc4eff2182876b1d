import { spawn } from "node:child_process";
import { z } from "zod";
import { childEnvironment } from "../../workflows/actions/shell.js";
import { splitCommand } from "../../workflows/argv.js";
import { type CommandRecord, type ToolOutcome, ToolInputError } from "./types.js";

/**
 * `run`: one of the commands the repository's configuration allows (install, test, lint, build),
 * by name — the model cannot run anything else. No shell, a clean environment without the app's
 * secrets, a time limit, and the end of the output only.
 */

export const COMMAND_NAMES = ["install", "test", "lint", "build"] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];
export const MAX_COMMAND_OUTPUT = 16 * 1024;

export interface CommandOptions {
  commands: Partial<Record<CommandName, string>>;
  cwd: string;
  timeoutMs: number;
  /** Every run is recorded here, for the pull request's body. */
  record: CommandRecord[];
  signal?: AbortSignal;
}

const runInput = z.object({ command: z.enum(COMMAND_NAMES) });

export async function runCommand(input: unknown, options: CommandOptions): Promise<ToolOutcome> {
  const available = COMMAND_NAMES.filter((name) => options.commands[name]);
  const parsed = runInput.safeParse(input);
  if (!parsed.success || !options.commands[parsed.data.command]) {
    const asked = (input as { command?: unknown } | null)?.command;
    throw new ToolInputError(
      `${typeof asked === "string" ? `"${asked}" is not a command this repository allows. ` : ""}The allowed commands are: ${available.join(", ") || "none (the repository's configuration lists no agent.commands)"}.`,
    );
  }
  const name = parsed.data.command;
  const command = options.commands[name]!;
  let argv: string[];
  try {
    argv = splitCommand(command);
  } catch (error) {
    throw new ToolInputError(`the ${name} command in the configuration cannot run: ${(error as Error).message}`);
  }
  const [program, ...args] = argv;
  if (!program) throw new ToolInputError(`the ${name} command is empty`);

  const started = Date.now();
  const result = await new Promise<{ code: number | null; output: string; timedOut: boolean }>((resolve) => {
    const child = spawn(program, args, { cwd: options.cwd, env: childEnvironment(), shell: false, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    let timedOut = false;
    const keep = (chunk: Buffer) => (output = (output + chunk.toString("utf8")).slice(-4 * MAX_COMMAND_OUTPUT));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    // The whole process group, so a test runner's workers stop too.
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    options.signal?.addEventListener("abort", kill, { once: true });
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ code: 127, output: `could not start ${program}: ${error.message}`, timedOut: false });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", kill);
      resolve({ code, output, timedOut });
    });
  });
  const durationMs = Date.now() - started;
  options.record.push({ name, command, exitCode: result.code, timedOut: result.timedOut, durationMs });
  const output = result.output.length > MAX_COMMAND_OUTPUT ? `… (earlier output cut)\n${result.output.slice(-MAX_COMMAND_OUTPUT)}` : result.output;
  const status = result.timedOut ? `timed out after ${Math.round(options.timeoutMs / 1000)}s` : `exited with code ${result.code}`;
  return { content: `$ ${command}\n${status} in ${(durationMs / 1000).toFixed(1)}s\n${output}`.trimEnd() };
}
