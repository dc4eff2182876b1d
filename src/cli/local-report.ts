import { INTERNAL_ERROR } from "../core/errors.js";
import { runGit } from "../workspace/git.js";
import { redact } from "../core/redactor.js";

/**
 * What `ai-agent run` tells the person at the terminal. The app's messages are written for someone
 * who triggered a run on GitHub and cannot see the server ("the server log has the details", "ask
 * the operator"); here that person is the operator, the log is this terminal, and the setting is
 * their own environment. The wording is turned around, and the details the app keeps to its log
 * are shown.
 */

const SERVER_WORDING: [RegExp, string][] = [
  [/[;,]?\s*the server log has the details/gi, ""],
  [/\s*Ask the operator, or\s+/g, " Set SANDBOX_NETWORK=allow, or "],
  [/ on the server\b/g, ""],
  [/ on this server\b/g, " here"],
  [/\bthis server's\b/g, "this machine's"],
  [/\bthe server's\b/g, "the"],
  [/\bthe server\b/g, "this machine"],
];

/** A message of the app's, reworded for someone running it on their own machine. */
export function localText(message: string): string {
  let text = message;
  for (const [pattern, replacement] of SERVER_WORDING) text = text.replace(pattern, replacement);
  return text.replace(/\s+([.;:,)])/g, "$1").trim();
}

/**
 * Why a local run failed: the app's public message reworded, or for an error it would keep to its
 * log ("internal error"), the error itself; with its causes (a connection refused, a DNS failure).
 */
export function describeForLocalUser(error: unknown, publicText: string): string {
  const own = publicText === INTERNAL_ERROR && error instanceof Error ? `${error.name}: ${error.message}` : publicText;
  const causes: string[] = [];
  let cause = error instanceof Error ? error.cause : undefined;
  for (let depth = 0; cause !== undefined && depth < 3; depth++) {
    const code = (cause as { code?: unknown }).code;
    const message = cause instanceof Error ? cause.message : typeof cause === "string" ? cause : JSON.stringify(cause);
    causes.push(typeof code === "string" && !message.includes(code) ? `${message} (${code})` : message);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  const parts = [localText(own), ...causes.map((c) => `caused by: ${c}`)].map((part) => part.replace(/\.$/, ""));
  const text = `${parts.join("; ")}.`;
  return redact(text);
}

/** Of the branches the run named, those that are now in the repository. */
export async function branchesLeft(repo: string, branches: readonly string[], home: string): Promise<string[]> {
  const left: string[] = [];
  for (const branch of branches) {
    const { code } = await runGit(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], { cwd: repo, home, okCodes: [1, 128] });
    if (code === 0) left.push(branch);
  }
  return left;
}
