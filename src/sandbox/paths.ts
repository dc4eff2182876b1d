import path from "node:path";
import { SandboxPolicyError } from "./errors.js";

/** Where the workspace is inside the sandbox; the model sees the same path. */
export const SANDBOX_WORKSPACE = "/repo";
export const SANDBOX_HOME = "/home/sandbox";

/**
 * A working directory as the workspace-relative posix path it names: `.`, `src`, `/repo/src` are
 * accepted; `..` segments and absolute paths elsewhere are refused.
 */
export function workspaceRelative(cwd: string | undefined): string {
  const text = (cwd ?? ".").trim() || ".";
  let relative: string;
  if (text === SANDBOX_WORKSPACE || text.startsWith(`${SANDBOX_WORKSPACE}/`)) relative = text.slice(SANDBOX_WORKSPACE.length + 1) || ".";
  else if (path.posix.isAbsolute(text)) throw new SandboxPolicyError(`the working directory ${text} is outside the workspace (${SANDBOX_WORKSPACE})`);
  else relative = text;
  if (relative.split("/").includes("..")) throw new SandboxPolicyError(`the working directory ${text} is outside the workspace`);
  return path.posix.normalize(relative);
}

/** What an environment variable may be called; the config schema of `shell.run` uses it too. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The allow-listed base environment plus the step's own variables (names checked). */
export function commandEnvironment(base: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  const env = { ...base };
  for (const [name, value] of Object.entries(extra)) {
    if (!VARIABLE_NAME.test(name)) throw new SandboxPolicyError(`"${name}" is not an environment variable name`);
    env[name] = value;
  }
  return env;
}
