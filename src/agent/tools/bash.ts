import { z } from "zod";
import { formatDuration } from "../../core/format.js";
import type { ShellSession } from "../../sandbox/shell-session.js";
import { ToolSchemaError } from "./input.js";
import type { CommandRecord, ToolOutcome } from "./types.js";

/**
 * Anthropic's bash tool (`bash_20250124`): one persistent shell per run, in the sandbox. Each
 * command is bounded in time and output and recorded for the pull request's body.
 */

export const BASH_TOOL_NAME = "bash";
export const MAX_BASH_OUTPUT = 30_000;

export interface BashOptions {
  shell: ShellSession;
  timeoutMs: number;
  record: CommandRecord[];
  signal?: AbortSignal;
}

const bashInput = z.union([
  z.object({ restart: z.literal(true) }),
  z.object({ command: z.string().min(1, "the command is empty") }),
]);

export async function runBash(input: unknown, options: BashOptions): Promise<ToolOutcome> {
  const parsed = bashInput.safeParse(input);
  if (!parsed.success) throw new ToolSchemaError('the bash tool takes {"command": "…"} or {"restart": true}');
  if ("restart" in parsed.data) {
    options.shell.dispose();
    return { content: "The shell was restarted: a new session in /repo, with the variables reset." };
  }
  const { command } = parsed.data;
  const result = await options.shell.run(command, {
    timeoutMs: options.timeoutMs,
    maxOutputBytes: MAX_BASH_OUTPUT,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  options.record.push({ name: "bash", command, exitCode: result.exitCode, timedOut: result.timedOut, durationMs: result.durationMs });
  const notes: string[] = [];
  if (result.timedOut) notes.push(`The command timed out after ${formatDuration(options.timeoutMs)}; the shell was ended with everything it started, and the next command gets a new one.`);
  else if (result.ended) notes.push(`The shell ended (exit code ${result.exitCode ?? "none"}); the next command gets a new one.`);
  else if (result.exitCode !== 0) notes.push(`Exit code ${result.exitCode}.`);
  const content = [result.output.trimEnd(), ...notes].filter(Boolean).join("\n");
  return { content: content || "(no output)", exitCode: result.exitCode };
}
