import { fileURLToPath } from "node:url";
import { UserFacingError } from "../core/errors.js";
import { formatDuration } from "../core/format.js";
import type { GitError } from "./git.js";

/**
 * A git failure told to the person who triggered the run. A GitError's message is for the server
 * log: the whole command line, the cache's paths on the server and the remote's address. A run
 * whose push was refused used to end as "An internal error stopped the run"; this says what could
 * not be done and why, in plain words, with the remote's address and the server's paths left out.
 */
export class GitFailed extends UserFacingError {
  override name = "GitFailed";
  constructor(what: string, error: GitError, hidden: HiddenAddresses) {
    super(`${what} failed: ${explainGitFailure(error, hidden)}.`, { cause: error });
  }
}

export interface HiddenAddresses {
  /** The remote as git was given it: an https URL, or a file:// URL in tests and on-disk mirrors. */
  remote: string;
  /** Directories of the server (the clone cache) that git's messages may name. */
  paths?: readonly string[];
}

/** Lines of the remote's own message (`remote: …`, e.g. a protected branch's rule) kept. */
const MAX_REMOTE_LINES = 3;
const MAX_DETAIL = 300;

/** Why git failed, in a sentence, with the remote's address and the server's paths replaced. */
export function explainGitFailure(error: Pick<GitError, "message" | "stderr" | "exitCode">, hidden: HiddenAddresses): string {
  const stderr = hideAddresses(error.stderr, hidden);
  if (error.exitCode === undefined && / timed out after \d+ ms/.test(error.message)) {
    const ms = Number(/ timed out after (\d+) ms/.exec(error.message)?.[1] ?? 0);
    return `git took longer than ${formatDuration(ms)} and was stopped`;
  }
  const said = stderr
    .split("\n")
    .filter((line) => line.startsWith("remote: "))
    .map((line) => line.slice("remote: ".length).trim())
    .filter(Boolean)
    .slice(0, MAX_REMOTE_LINES);
  const saying = said.length > 0 ? `; it said: ${said.join(" / ")}` : "";
  const rejected = /^ ! \[(remote rejected|rejected)\] .*?(?:\((.+)\))?\s*$/m.exec(stderr);
  if (rejected) {
    const reason = rejected[2] ? ` (${rejected[2]})` : "";
    if (rejected[1] === "remote rejected") return cut(`the repository refused the push${reason}${saying}`);
    return cut(`the branch on the repository has commits this run does not have${reason}${saying}`);
  }
  if (/does not appear to be a git repository|repository .* not found|Repository not found|returned error: 404/i.test(stderr)) {
    return cut(`the repository was not found at its address${saying}`);
  }
  if (/Authentication failed|could not read (Username|Password)|returned error: 40[13]|terminal prompts disabled/i.test(stderr)) {
    return cut(`the repository refused the app's credentials${saying}`);
  }
  if (/Could not resolve host|Failed to connect|Couldn't connect|Connection (timed out|refused|reset)|Operation timed out/i.test(stderr)) {
    return "the repository's server could not be reached";
  }
  const lines = stderr.split("\n").map((line) => line.trim()).filter(Boolean);
  const first = lines.find((line) => /^(fatal|error):/.test(line)) ?? lines[0];
  return cut(first ? first.replace(/^(fatal|error):\s*/, "") : `git exited with code ${error.exitCode ?? "unknown"}`);
}

/** `text` with the remote's address (in each form git writes it) and the server's paths replaced. */
export function hideAddresses(text: string, hidden: HiddenAddresses): string {
  let out = text;
  const url = URL.canParse(hidden.remote) ? new URL(hidden.remote) : undefined;
  // An http(s) remote's host may be a private server's: nothing after its origin is shown either.
  if (url && (url.protocol === "https:" || url.protocol === "http:")) out = out.replace(new RegExp(`${escape(url.origin)}${REST_OF_PATH}`, "g"), "<remote>");
  const forms = [hidden.remote];
  if (url?.protocol === "file:") forms.push(url.href, fileURLToPath(url));
  for (const form of [...new Set(forms)].sort((a, b) => b.length - a.length)) out = out.split(form.replace(/\/$/, "")).join("<remote>");
  for (const dir of hidden.paths ?? []) out = out.replace(new RegExp(`${escape(dir)}${REST_OF_PATH}`, "g"), "<server path>");
  // Credentials in any URL git printed, as runGit's redaction does.
  return out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, "$1***@");
}

/** The rest of an address or path as git quotes it: up to a space, a quote or a comma. */
const REST_OF_PATH = `[^\\s'",]*`;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const cut = (text: string) => (text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text);
