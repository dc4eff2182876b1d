/**
 * Runs the app's own git: argument arrays, no shell, a timeout per command, and an environment
 * built from scratch so that neither the machine's git config nor the parent's secrets reach git.
 * Whatever a repository or a sandboxed command may have written, this git runs none of it: hooks
 * point at an empty directory, fsmonitor and the untracked cache are off, submodules are not
 * entered, and these settings come from the environment (`GIT_CONFIG_COUNT`), which outranks any
 * config file. An installation token travels only in the child's environment, as an
 * `http.<origin>/.extraHeader` scoped to the remote's host, and is redacted from every error.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { runProcess } from "../sandbox/process.js";

/** Clone and fetch may move a large repository; everything else is local and quick. */
export const NETWORK_TIMEOUT_MS = 10 * 60_000;
export const LOCAL_TIMEOUT_MS = 60_000;

/** Variables passed through from the parent: the ones git and its HTTP transport need. */
const PASSED_THROUGH = [
  "PATH",
  "LANG",
  "LC_ALL",
  "TMPDIR",
  // Reaching GitHub from behind a proxy or a private CA.
  "HTTPS_PROXY",
  "https_proxy",
  "HTTP_PROXY",
  "http_proxy",
  "NO_PROXY",
  "no_proxy",
  "ALL_PROXY",
  "all_proxy",
  "GIT_SSL_CAINFO",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
];

export class GitError extends Error {
  override name = "GitError";
  constructor(
    message: string,
    /** The subcommand and its arguments, redacted. */
    readonly args: readonly string[],
    /** The exit code, or undefined when git was killed (timeout) or could not start. */
    readonly exitCode: number | undefined,
    /** git's stderr, redacted. */
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** The value of the Authorization header git sends for an installation token. */
export function authorizationHeader(token: string): string {
  return `Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
}

/** Removes the token, its base64 form and any credentials embedded in a URL from `text`. */
export function redact(text: string, token?: string): string {
  let out = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, "$1***@");
  if (token) {
    const secrets = [token, Buffer.from(`x-access-token:${token}`).toString("base64"), Buffer.from(token).toString("base64")];
    for (const secret of secrets) out = out.split(secret).join("***");
  }
  return out;
}

/** The prefix an installation token may be sent to: the remote's scheme and host, for http(s) remotes. */
export function authScopeOf(remote: string): string | undefined {
  const url = new URL(remote);
  return url.protocol === "https:" || url.protocol === "http:" ? `${url.origin}/` : undefined;
}

/** Refuses remotes git could be tricked with and URLs that carry credentials; local paths become file:// URLs. */
export function normaliseRemote(remoteUrl: string): string {
  if (path.isAbsolute(remoteUrl)) return pathToFileURL(remoteUrl).href;
  const url = URL.canParse(remoteUrl) ? new URL(remoteUrl) : undefined;
  if (!url || !["https:", "http:", "file:"].includes(url.protocol)) throw new Error(`Unsupported git remote: ${remoteUrl}`);
  if (url.username || url.password) throw new Error("The git remote URL must not carry credentials; pass the token instead");
  return url.href;
}

export interface GitEnvOptions {
  /** HOME for git: an empty directory we own, so no `~/.config/git/ignore` or attributes apply. */
  home: string;
  token?: string;
  /** The URL prefix the token is sent to (the remote's origin, e.g. `https://github.com/`); no header without it. */
  authScope?: string;
  /** Extra variables, e.g. the commit identity. */
  extra?: Record<string, string>;
}

/**
 * Where hooks are looked for: `/dev/null` is not a directory and no one can make it one, so no
 * hook can ever be found there — unlike an empty folder, which something could fill.
 */
export const NO_HOOKS = "/dev/null";

/** Settings every git command of the app runs with, whatever the repository's config says. */
export function hardenedSettings(): [string, string][] {
  return [
    ["core.hooksPath", NO_HOOKS],
    ["core.fsmonitor", "false"],
    ["core.untrackedCache", "false"],
    // A kept worktree is reset by what its index says changed: a command can set a file's mtime
    // back, but not its ctime, so git must compare both (the defaults, pinned here).
    ["core.trustctime", "true"],
    ["core.checkStat", "default"],
    // Sandboxed commands write the worktree as another uid; the app's git must still read it.
    ["safe.directory", "*"],
    ["submodule.recurse", "false"],
    ["diff.ignoreSubmodules", "all"],
    ["status.submoduleSummary", "false"],
    ["protocol.ext.allow", "never"],
    ["credential.helper", ""],
    ["core.askPass", ""],
  ];
}

/** The whole environment of a git child. */
export function gitEnv({ home, token, authScope, extra }: GitEnvOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of PASSED_THROUGH) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, {
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    // Do not let git look above the directories we hand it for a repository.
    GIT_CEILING_DIRECTORIES: home,
  });
  const settings = hardenedSettings();
  if (token && authScope) settings.push([`http.${authScope}.extraHeader`, `Authorization: ${authorizationHeader(token)}`]);
  env.GIT_CONFIG_COUNT = String(settings.length);
  settings.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return { ...env, ...extra };
}

export interface RunGitOptions extends GitEnvOptions {
  /** The directory git runs in (a bare repository or a worktree). */
  cwd: string;
  timeoutMs?: number;
  /** Written to git's stdin. */
  input?: string;
  /** Exit codes that are not errors (e.g. 1 for `diff --quiet`). */
  okCodes?: readonly number[];
}

export interface GitResult {
  stdout: string;
  code: number;
}

const MAX_OUTPUT = 256 * 1024 * 1024;

/** git bound to a cache and a token: `args` run in `cwd`, with `extra` options on top. */
export type GitFn = (args: string[], cwd: string, extra?: Partial<RunGitOptions>) => Promise<GitResult>;

/** Runs `git <args>`; rejects with a redacted GitError on a failure, a timeout or too much output. */
export async function runGit(args: readonly string[], options: RunGitOptions): Promise<GitResult> {
  const { cwd, token, timeoutMs = LOCAL_TIMEOUT_MS, input, okCodes = [] } = options;
  const env = Object.fromEntries(Object.entries(gitEnv(options)).filter((entry): entry is [string, string] => entry[1] !== undefined));
  // git may exit before reading its input; the exit code tells.
  const result = await runProcess({ file: "git", args, cwd, env }, { timeoutMs, stdin: input ?? "", maxOutputBytes: MAX_OUTPUT });
  const problem = result.timedOut ? `timed out after ${timeoutMs} ms` : result.droppedBytes.stdout > 0 ? "produced too much output" : undefined;
  const code = result.exitCode;
  if (problem === undefined && code !== null && (code === 0 || okCodes.includes(code))) return { stdout: result.stdout, code };
  const shownArgs = args.map((arg) => redact(arg, token));
  const stderr = redact(result.stderr, token);
  const detail = (problem ? `${problem}\n${stderr}` : stderr).trim();
  const exitCode = problem === undefined && code !== null ? code : undefined;
  const message = `git ${shownArgs.join(" ")} failed${exitCode === undefined ? "" : ` (exit ${exitCode})`}: ${detail || "no output"}`;
  throw new GitError(message, shownArgs, exitCode, stderr);
}
