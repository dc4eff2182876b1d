import { execFileSync } from "node:child_process";

/**
 * Runs git for a test, with none of the machine's own git configuration, and gives its output
 * trimmed.
 */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { PATH: process.env.PATH, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", HOME: cwd },
  }).trim();
}
