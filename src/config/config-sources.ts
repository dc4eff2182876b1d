import { z } from "zod";
import { httpStatus } from "../integrations/github/client.js";

/**
 * Where a repository's configuration comes from, as Probot apps read theirs: the repository's own
 * `.github/ai-agent.yml`; without it, the same file in the owner's `.github` repository; and from
 * either, `_extends: repo`, `_extends: owner/repo` or `_extends: owner/repo:path.yml`, followed to
 * the end of the chain. Each file is read from the contents API with the checks a person can act on.
 */

export const REPO_CONFIG_PATH = ".github/ai-agent.yml";
/** Far more than any real configuration; keeps a hostile file from costing parse time or memory. */
export const MAX_REPO_CONFIG_BYTES = 64 * 1024;
/** Files in one chain: the repository's (or the organisation's) and those it extends. */
export const MAX_CONFIG_FILES = 5;

export interface ConfigProblem {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  message: string;
}

export interface ConfigLocation {
  owner: string;
  repo: string;
  path: string;
  /** A branch or commit; without one, the repository's default branch. */
  ref?: string;
}

/** The one call this module makes; a Probot or Octokit client fits. */
export interface RepoContentsClient {
  rest: {
    repos: {
      getContent(params: { owner: string; repo: string; path: string; ref?: string }): Promise<{ data: unknown }>;
    };
  };
}

export type FetchedConfig =
  | { kind: "missing" }
  | { kind: "text"; text: string }
  | { kind: "too-large"; bytes: number }
  | { kind: "unusable"; message: string };

/** Anything the contents API can answer for the path; the rest of the response is not needed. */
const fileResponse = z.object({
  type: z.literal("file"),
  encoding: z.literal("base64"),
  size: z.number().int().nonnegative(),
  content: z.string(),
});

/** The file's text; a missing file (or ref) is "missing"; GitHub failing otherwise throws. */
export async function fetchConfigText(octokit: RepoContentsClient, at: ConfigLocation): Promise<FetchedConfig> {
  let data: unknown;
  try {
    ({ data } = await octokit.rest.repos.getContent({ owner: at.owner, repo: at.repo, path: at.path, ...(at.ref !== undefined ? { ref: at.ref } : {}) }));
  } catch (error) {
    if (httpStatus(error) === 404) return { kind: "missing" };
    throw error;
  }
  // The contents API answers a directory with its listing, and a symlink or submodule with its kind.
  if (Array.isArray(data)) return { kind: "unusable", message: `${at.path} is a directory; expected a YAML file` };
  const kind = z.object({ type: z.string() }).safeParse(data);
  if (kind.success && kind.data.type !== "file") return { kind: "unusable", message: `${at.path} is a ${kind.data.type}; expected a regular YAML file` };
  // Checked before decoding: past 1 MB GitHub sends no content at all.
  const size = z.object({ size: z.number() }).safeParse(data);
  if (size.success && size.data.size > MAX_REPO_CONFIG_BYTES) return { kind: "too-large", bytes: size.data.size };

  const parsed = fileResponse.safeParse(data);
  if (!parsed.success) throw new Error(`unexpected contents API response for ${at.path}: ${z.prettifyError(parsed.error)}`);
  try {
    // Buffer skips the line breaks GitHub puts in the base64; TextDecoder drops a byte-order mark.
    return { kind: "text", text: new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(parsed.data.content, "base64")) };
  } catch {
    return { kind: "unusable", message: "the file is not UTF-8 text; save it as UTF-8" };
  }
}

/**
 * Statuses that mean "this app cannot read that repository": not found, no access, or (asking for
 * a token scoped to it) a repository outside the installation. Anything else is GitHub failing.
 */
export function isUnreachable(error: unknown): boolean {
  const status = httpStatus(error);
  return status === 403 || status === 404 || status === 422;
}

// Probot's form: an owner (GitHub's login rules), a repository name, and a YAML path.
const EXTENDS = /^(?:([a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38})\/)?([-_.\w]+)(?::([-_./\w]+\.ya?ml))?$/i;

/**
 * The file `_extends` names, relative to the file that says it: `repo` is a repository of the same
 * owner, and the path is `.github/ai-agent.yml` unless given. Read from its default branch.
 */
export function parseExtends(value: unknown, from: ConfigLocation): ConfigLocation | { problem: string } {
  const form = 'expected "repo", "owner/repo" or "owner/repo:path/to/file.yml"';
  if (typeof value !== "string") return { problem: `_extends: ${form}` };
  const match = EXTENDS.exec(value.trim());
  const [, owner = from.owner, repo = "", path = REPO_CONFIG_PATH] = match ?? [];
  if (!match || repo === "." || repo === ".." || path.split("/").some((segment) => segment === "" || segment === "." || segment === "..")) {
    return { problem: `_extends: ${form}; found ${JSON.stringify(value)}` };
  }
  return { owner, repo, path };
}

/** How problems name a file: the repository's own by its path, any other as `owner/repo:path`. */
export function locationLabel(at: ConfigLocation, home: { owner: string; repo: string }): string {
  return sameRepository(at, home) ? at.path : `${at.owner}/${at.repo}:${at.path}`;
}

export function sameRepository(a: { owner: string; repo: string }, b: { owner: string; repo: string }): boolean {
  // GitHub's owner and repository names are case-insensitive.
  return a.owner.toLowerCase() === b.owner.toLowerCase() && a.repo.toLowerCase() === b.repo.toLowerCase();
}

export function sameFile(a: ConfigLocation, b: ConfigLocation): boolean {
  return sameRepository(a, b) && a.path === b.path;
}

/**
 * The settings of a chain of files, nearest first: each setting (`version`, `triggers.review`,
 * `models.default`, a workflow by its name) is taken whole from the nearest file that sets it, so a
 * repository overrides its organisation's setting without inheriting half of it.
 */
export function mergeConfigs(nearestFirst: readonly Record<string, unknown>[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const data of [...nearestFirst].reverse()) {
    for (const [key, value] of Object.entries(data)) {
      const farther = merged[key];
      merged[key] = isMapping(farther) && isMapping(value) ? { ...farther, ...value } : value;
    }
  }
  return merged;
}

/** The path of the setting a problem's path falls in: what `mergeConfigs` takes whole. */
export function settingOf<T>(path: readonly T[]): T[] {
  return path.slice(0, 2);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Where a repository without a file of its own finds its organisation's. */
const ORG_CONFIG_REPO = ".github";

export interface ConfigSourceOptions {
  /**
   * A client for another repository's file (the organisation's `.github`, an `_extends` target):
   * with scoped tokens, one that opens that repository. The given client otherwise.
   */
  otherRepository?: (owner: string, repo: string) => Promise<RepoContentsClient>;
}

/** One file of the chain as the caller parsed it, and what its `_extends` says, where. */
export type ChainLink<D> = { document: D; extends?: { value: unknown; at: Omit<ConfigProblem, "message"> } };
type Problems = { ok: false; problems: ConfigProblem[] };

/**
 * The files of a repository's configuration, nearest first, each parsed by `read` (which reports
 * its own problems); none when neither the repository nor its organisation has one. An `_extends`
 * that cannot be followed is a problem at the `_extends`, in the file that says it.
 */
export async function readConfigChain<D>(
  octokit: RepoContentsClient,
  target: { owner: string; repo: string; ref: string },
  sources: ConfigSourceOptions,
  read: (fetched: Exclude<FetchedConfig, { kind: "missing" }>, file: string) => { ok: true; link: ChainLink<D> } | Problems,
): Promise<{ ok: true; documents: D[] } | Problems> {
  const home = { owner: target.owner, repo: target.repo };
  const label = (at: ConfigLocation) => locationLabel(at, home);
  const readOther = async (at: ConfigLocation): Promise<FetchedConfig> => {
    try {
      // A token opens repositories of its own installation (the owner's); another owner's public
      // files are read with the repository's own.
      const sameOwner = at.owner.toLowerCase() === home.owner.toLowerCase();
      const client = sameRepository(at, home) || !sameOwner || !sources.otherRepository ? octokit : await sources.otherRepository(at.owner, at.repo);
      return await fetchConfigText(client, at);
    } catch (error) {
      // Another repository this app cannot open reads as no file; the caller says what that means.
      if (isUnreachable(error)) return { kind: "missing" };
      throw error;
    }
  };

  let at: ConfigLocation = { ...home, path: REPO_CONFIG_PATH, ref: target.ref };
  let fetched = await fetchConfigText(octokit, at);
  if (fetched.kind === "missing") {
    if (target.repo.toLowerCase() === ORG_CONFIG_REPO) return { ok: true, documents: [] };
    // The organisation's file is optional: a `.github` repository this app cannot read is none.
    at = { owner: target.owner, repo: ORG_CONFIG_REPO, path: REPO_CONFIG_PATH };
    fetched = await readOther(at);
    if (fetched.kind === "missing") return { ok: true, documents: [] };
  }

  const documents: D[] = [];
  const chain: ConfigLocation[] = [];
  for (;;) {
    const parsed = read(fetched, label(at));
    if (!parsed.ok) return parsed;
    documents.push(parsed.link.document);
    chain.push(at);
    const named = parsed.link.extends;
    if (!named) return { ok: true, documents };
    const problem = (message: string): Problems => ({ ok: false, problems: [{ ...named.at, message }] });
    const next = parseExtends(named.value, at);
    if ("problem" in next) return problem(next.problem);
    const path = [...chain, next].map(label).join(" → ");
    if (chain.some((seen) => sameFile(seen, next))) return problem(`_extends: ${label(next)} is already part of this configuration (${path}); remove the loop`);
    if (chain.length >= MAX_CONFIG_FILES) return problem(`_extends: at most ${MAX_CONFIG_FILES} files can be chained (${path})`);
    fetched = await readOther(next);
    if (fetched.kind === "missing") {
      return problem(`_extends: cannot read ${label(next)}: there is no such file, or this app is not installed on ${next.owner}/${next.repo}`);
    }
    at = next;
  }
}
