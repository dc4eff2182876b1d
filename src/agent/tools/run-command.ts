import { z } from "zod";
import { formatDuration } from "../../core/format.js";
import type { Sandbox } from "../../sandbox/index.js";
import { splitCommand } from "../../core/argv.js";
import { errorLines } from "../../core/command-output.js";
import { ToolSchemaError } from "./input.js";
import { type CommandRecord, type ToolOutcome, ToolInputError } from "./types.js";

/**
 * `run`: one of the commands the repository's configuration allows (install, test, lint, build),
 * by name, in the sandbox. No shell, the sandbox's allow-listed environment, a time limit, and the
 * end of the output only.
 */

export const COMMAND_NAMES = ["install", "test", "lint", "build"] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];
export const MAX_COMMAND_OUTPUT = 16 * 1024;

export interface CommandOptions {
  commands: Partial<Record<CommandName, string>>;
  sandbox: Sandbox;
  /** The run's worktree. */
  workspace: string;
  /** The repository asked for network access (agent.sandbox.network). */
  network?: boolean;
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
    throw new ToolSchemaError(
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
  if (argv.length === 0) throw new ToolInputError(`the ${name} command is empty`);

  const result = await options.sandbox.exec(argv, {
    workspace: options.workspace,
    timeoutMs: options.timeoutMs,
    maxOutputBytes: 4 * MAX_COMMAND_OUTPUT,
    ...(options.network ? { network: true } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const output = `${result.stdout}${result.stdout && result.stderr ? "\n" : ""}${result.stderr}`;
  const durationMs = result.durationMs;
  options.record.push({ name, command, exitCode: result.exitCode, timedOut: result.timedOut, durationMs });
  const shown = output.length > MAX_COMMAND_OUTPUT || result.droppedBytes.stdout + result.droppedBytes.stderr > 0 ? cutOutput(output) : output;
  const status = result.timedOut ? `timed out after ${formatDuration(options.timeoutMs)}` : result.exitCode === null ? `was killed (${result.signal ?? "stopped"})` : `exited with code ${result.exitCode}`;
  return { content: `$ ${command}\n${status} in ${(durationMs / 1000).toFixed(1)}s\n${shown}`.trimEnd(), exitCode: result.exitCode };
}

/** The end of a long output, and the error-looking lines of the part cut, where the reason often is. */
function cutOutput(output: string): string {
  const cut = output.slice(0, -MAX_COMMAND_OUTPUT);
  const reasons = errorLines(cut);
  const kept = reasons.length > 0 ? `… (earlier output cut; its error lines:)\n${reasons.join("\n")}\n…\n` : "… (earlier output cut)\n";
  return `${kept}${output.slice(-MAX_COMMAND_OUTPUT)}`;
}
