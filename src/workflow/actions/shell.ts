import { z } from "zod";
import { SandboxUnavailable } from "../../sandbox/index.js";
import { VARIABLE_NAME } from "../../sandbox/paths.js";
import { UserFacingError } from "../../core/errors.js";
import { formatDuration } from "../../core/format.js";
import { defineAction } from "../../core/action.js";
import { failureExcerpt } from "../../core/command-output.js";

/**
 * `shell.run`: one command in the run's workspace, inside the sandbox. The command is an argv list
 * and is started without a shell, so a value a template puts in an argument stays one argument
 * whatever it holds. It gets the sandbox's allow-listed environment plus `env`: none of the app's
 * secrets, keys or tokens, and no network unless it asks (`network: true`) and the server allows it.
 */

const OUTPUT_LIMIT = 64 * 1024;
/** The ceiling when neither the input nor the step bounds the command. */
const MAX_SECONDS = 6 * 3600;

export const shellRunInput = z.strictObject({
  run: z
    .array(z.string("each argument is a string"), "expected the command as a list of arguments, such as [npm, test]")
    .min(1, "expected at least the program to run")
    .describe("The command as a list of arguments, such as [npm, test]; it runs without a shell."),
  working_directory: z.string().optional().describe("A directory inside the workspace to run in; the workspace itself when absent."),
  env: z
    .record(z.string().regex(VARIABLE_NAME, "an environment variable name"), z.string())
    .optional()
    .describe("More environment variables for the command, beside the sandbox's allow-listed ones."),
  allow_failure: z.boolean().default(false).describe("A non-zero exit is an output (exit_code), not a failure."),
  network: z.boolean().default(false).describe("Network access for this command, where the server's SANDBOX_NETWORK allows it."),
  // The step's `timeout:` applies too, and is how most workflows bound a command.
  timeout_seconds: z.number().int().min(1).max(MAX_SECONDS).optional().describe("The command's own time limit, in seconds; the step's timeout applies too."),
});

/** An argument as it reads in a command line: quoted (as a JSON string) when it holds anything but plain characters. */
function shown(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg);
}

/** Keeps the end of a long output, where errors are. */
function tail(text: string, dropped: number): string {
  return dropped > 0 ? `…(${dropped} bytes cut)\n${text}` : text;
}

export const shellRun = defineAction({
  name: "shell.run",
  description: "Runs a command (an argument list, no shell) in the run's workspace, inside the sandbox, with a clean environment.",
  input: shellRunInput,
  outputs: { exit_code: "the command's exit code", stdout: "its standard output (the last 64 KiB)", stderr: "its standard error (the last 64 KiB)" },
  async run(input, { services, signal, stepId }) {
    const sandbox = services.sandbox ?? services.runWorkspace?.sandbox;
    if (!sandbox) throw new SandboxUnavailable("shell.run needs the server's sandbox, and this run has none.");
    // The run's worktree when it has one; otherwise the directory the services name.
    const workspace = services.workspace ?? services.runWorkspace?.current()?.dir;
    if (!workspace) throw new UserFacingError("shell.run needs the run's workspace, and this workflow has none.");
    const result = await sandbox.exec(input.run, {
      workspace,
      ...(input.working_directory ? { cwd: input.working_directory } : {}),
      ...(input.env ? { env: input.env } : {}),
      network: input.network,
      timeoutMs: (input.timeout_seconds ?? MAX_SECONDS) * 1000,
      maxOutputBytes: OUTPUT_LIMIT,
      signal,
    });
    services.runEvents?.record(
      {
        kind: "command",
        name: "shell.run",
        summary: input.run.map(shown).join(" "),
        output: `${result.stdout}${result.stdout && result.stderr ? "\n" : ""}${result.stderr}`,
        exitCode: result.exitCode,
        durationMs: result.durationMs,
      },
      stepId,
    );
    const command = `\`${input.run.join(" ")}\``;
    if (result.timedOut) throw new UserFacingError(`${command} timed out after ${formatDuration((input.timeout_seconds ?? MAX_SECONDS) * 1000)} and was stopped, with every process it started.`);
    if (result.aborted) throw new UserFacingError(`${command} was stopped: the step was aborted.`);
    const code = result.exitCode ?? 128;
    const notFound = /(failed to execute|execvp) \S+: No such file or directory|could not start/.test(result.stderr) && code !== 0;
    if (notFound) throw new UserFacingError(`shell.run: the program "${input.run[0]}" was not found in the sandbox.`);
    if (code !== 0 && !input.allow_failure) {
      // The lines that say why (npm's `Missing script: "lint"` comes first) as well as the end.
      const excerpt = failureExcerpt(result.stdout, result.stderr);
      const why = result.exitCode === null ? `was killed (${result.signal ?? "a limit"})` : `exited with code ${code}`;
      throw new UserFacingError(`${command} ${why}${excerpt ? `:\n${excerpt}` : "."}`);
    }
    return { exit_code: code, stdout: tail(result.stdout, result.droppedBytes.stdout), stderr: tail(result.stderr, result.droppedBytes.stderr) };
  },
});
