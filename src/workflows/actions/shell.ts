import { spawn } from "node:child_process";
import path from "node:path";
import { z } from "zod";
import { UserFacingError } from "../../runs/tasks.js";
import { defineAction } from "../actions.js";

/**
 * `shell.run`: one command in the run's workspace. The command is an argv list and is started
 * without a shell, so a value a template puts in an argument stays one argument whatever it holds.
 * The child gets a small fixed environment: none of the app's secrets, keys or tokens.
 */

const OUTPUT_LIMIT = 64 * 1024;
/** The variables a build tool needs to find itself; nothing of the app's configuration. */
const PASSED_VARIABLES = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "TERM"] as const;

export const shellRunInput = z.strictObject({
  run: z.array(z.string("each argument is a string"), "expected the command as a list of arguments, such as [npm, test]").min(1, "expected at least the program to run"),
  /** A directory inside the workspace. */
  working_directory: z.string().optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name"), z.string()).optional(),
  /** A non-zero exit is an output, not a failure. */
  allow_failure: z.boolean().default(false),
});

export function childEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { CI: "true" };
  for (const name of PASSED_VARIABLES) if (process.env[name] !== undefined) env[name] = process.env[name];
  return { ...env, ...extra };
}

/** Keeps the end of a long output, where errors are. */
function tail(text: string): string {
  return text.length > OUTPUT_LIMIT ? `…(${text.length - OUTPUT_LIMIT} characters cut)\n${text.slice(-OUTPUT_LIMIT)}` : text;
}

export const shellRun = defineAction({
  name: "shell.run",
  description: "Runs a command (an argument list, no shell) in the run's workspace with a clean environment.",
  input: shellRunInput,
  outputs: { exit_code: "the command's exit code", stdout: "its standard output (the last 64 KiB)", stderr: "its standard error (the last 64 KiB)" },
  async run(input, { services, signal }) {
    // The agent's worktree when the run has one; otherwise the directory the services name.
    const workspace = services.workspace ?? services.agent?.current()?.dir;
    if (!workspace) throw new UserFacingError("shell.run needs the run's workspace, and this workflow has none.");
    const cwd = path.resolve(workspace, input.working_directory ?? ".");
    if (cwd !== workspace && !cwd.startsWith(workspace + path.sep)) {
      throw new UserFacingError(`shell.run: working_directory "${input.working_directory}" is outside the workspace.`);
    }
    const [program, ...args] = input.run as [string, ...string[]];
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(program, args, { cwd, env: childEnvironment(input.env), shell: false, signal, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout = (stdout + chunk).slice(-2 * OUTPUT_LIMIT)));
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-2 * OUTPUT_LIMIT)));
      child.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") reject(new UserFacingError(`shell.run: the program "${program}" was not found.`));
        else reject(error);
      });
      child.on("close", (code, signalName) => resolve({ code: code ?? (signalName ? 128 : 1), stdout, stderr }));
    });
    if (result.code !== 0 && !input.allow_failure) {
      const lastLines = tail(result.stderr || result.stdout).trim().split("\n").slice(-5).join("\n");
      throw new UserFacingError(`\`${input.run.join(" ")}\` exited with code ${result.code}${lastLines ? `:\n${lastLines}` : "."}`);
    }
    return { exit_code: result.code, stdout: tail(result.stdout), stderr: tail(result.stderr) };
  },
});
