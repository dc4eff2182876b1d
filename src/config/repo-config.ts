import { type Document, LineCounter, type Node, isAlias, isMap, isScalar, isSeq, parseDocument, visit } from "yaml";
import { z } from "zod";
import { httpStatus } from "../github/client.js";
import { type RepoConfig, defaultRepoConfig, describeValue, repoConfigSchema } from "./repo-config-schema.js";

/**
 * Reads a repository's `.github/ai-agent.yml`: fetch, parse YAML, validate, and turn every problem
 * into one a person can act on — the key's path, what was expected, and the line and column in the
 * file. Nothing here throws for anything a repository can put in the file; only GitHub failing
 * (other than 404) is an exception.
 */

export const REPO_CONFIG_PATH = ".github/ai-agent.yml";
/** Far more than any real configuration; keeps a hostile file from costing parse time or memory. */
export const MAX_REPO_CONFIG_BYTES = 64 * 1024;
/** YAML aliases allowed per file: enough for reuse, too few for a "billion laughs" expansion. */
const MAX_ALIAS_COUNT = 100;
const MAX_LISTED_PROBLEMS = 20;

export interface ConfigProblem {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  message: string;
}

export type { RepoConfig } from "./repo-config-schema.js";
export { defaultRepoConfig } from "./repo-config-schema.js";

/** `source` says whether a file was read ("file", even an empty one) or there was none ("default"). */
export type RepoConfigResult =
  | { ok: true; config: RepoConfig; source: "file" | "default" }
  | { ok: false; problems: ConfigProblem[] };

type PathSegment = string | number;

export function parseRepoConfig(text: string, file = REPO_CONFIG_PATH): RepoConfigResult {
  const fail = (problems: ConfigProblem[]): RepoConfigResult => ({ ok: false, problems: sortProblems(problems) });
  const atStart = (message: string): RepoConfigResult => fail([{ file, line: 1, column: 1, message }]);

  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_REPO_CONFIG_BYTES) return atStart(tooLargeMessage(bytes));

  const lineCounter = new LineCounter();
  // prettyErrors off: the message stays one line; the position comes from the line counter.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): Pick<ConfigProblem, "file" | "line" | "column"> => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  if (doc.errors.length > 0) {
    return fail(doc.errors.map((error) => ({ ...at(error.pos[0]), message: yamlErrorMessage(error.code, error.message, text, error.pos) })));
  }

  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return { ok: true, config: defaultRepoConfig(), source: "file" };
  if (!isMap(root)) {
    const found = isSeq(root) ? "a list" : isScalar(root) ? describeValue(root.value) : "something else";
    return fail([{ ...at(root.range?.[0] ?? 0), message: `expected a mapping of settings (key: value) starting with "version: 1"; found ${found}` }]);
  }

  const structural = structuralProblems(doc);
  if (structural.length > 0) return fail(structural.map(({ offset, message }) => ({ ...at(offset), message })));

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml counts alias expansions while building the value and throws past the limit.
    const firstAlias = firstAliasOffset(doc);
    const message = /alias count/i.test((error as Error).message)
      ? `too many YAML aliases (*name): the file expands to more than ${MAX_ALIAS_COUNT} aliased values; write the values out or reuse fewer`
      : `cannot read the YAML: ${(error as Error).message}`;
    return fail([{ ...at(firstAlias ?? 0), message }]);
  }

  const parsed = repoConfigSchema.safeParse(data);
  if (parsed.success) return { ok: true, config: parsed.data, source: "file" };
  const problems: ConfigProblem[] = [];
  for (const issue of parsed.error.issues) {
    const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== "symbol");
    if (issue.code === "unrecognized_keys") {
      // One problem per key, each pointing at the key itself.
      for (const key of issue.keys) problems.push({ ...at(keyOffset(doc, [...path, key])), message: `${formatPath([...path, key])}: ${issue.message}` });
    } else {
      const prefix = path.length > 0 ? `${formatPath(path)}: ` : "";
      problems.push({ ...at(valueOffset(doc, path)), message: `${prefix}${issue.message}` });
    }
  }
  return fail(problems);
}

/** Anything the contents API can answer for the path; the rest of the response is not needed. */
const fileResponse = z.object({
  type: z.literal("file"),
  encoding: z.literal("base64"),
  size: z.number().int().nonnegative(),
  content: z.string(),
});

/** The one call this module makes; a Probot or Octokit client fits. */
export interface RepoContentsClient {
  rest: {
    repos: {
      getContent(params: { owner: string; repo: string; path: string; ref: string }): Promise<{ data: unknown }>;
    };
  };
}

/** The configuration at `ref`; a missing file (or ref) gives the defaults. */
export async function loadRepoConfig(
  octokit: RepoContentsClient,
  target: { owner: string; repo: string; ref: string },
): Promise<RepoConfigResult> {
  const file = REPO_CONFIG_PATH;
  const atStart = (message: string): RepoConfigResult => ({ ok: false, problems: [{ file, line: 1, column: 1, message }] });
  let data: unknown;
  try {
    ({ data } = await octokit.rest.repos.getContent({ owner: target.owner, repo: target.repo, path: file, ref: target.ref }));
  } catch (error) {
    if (httpStatus(error) === 404) return { ok: true, config: defaultRepoConfig(), source: "default" };
    throw error;
  }

  // The contents API answers a directory with its listing, and a symlink or submodule with its kind.
  if (Array.isArray(data)) return atStart(`${file} is a directory; expected a YAML file`);
  const kind = z.object({ type: z.string() }).safeParse(data);
  if (kind.success && kind.data.type !== "file") return atStart(`${file} is a ${kind.data.type}; expected a regular YAML file`);
  // Checked before decoding: past 1 MB GitHub sends no content at all.
  const size = z.object({ size: z.number() }).safeParse(data);
  if (size.success && size.data.size > MAX_REPO_CONFIG_BYTES) return atStart(tooLargeMessage(size.data.size));

  const parsed = fileResponse.safeParse(data);
  if (!parsed.success) throw new Error(`unexpected contents API response for ${file}: ${z.prettifyError(parsed.error)}`);
  let text: string;
  try {
    // Buffer skips the line breaks GitHub puts in the base64; TextDecoder drops a byte-order mark.
    text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(parsed.data.content, "base64"));
  } catch {
    return atStart("the file is not UTF-8 text; save it as UTF-8");
  }
  return parseRepoConfig(text, file);
}

/** The body of the comment posted when a trigger meets an invalid configuration. */
export function formatConfigProblems(problems: ConfigProblem[]): string {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `- \`${p.file}:${p.line}:${p.column}\` ${escapeMarkdown(p.message)}`);
  if (problems.length > MAX_LISTED_PROBLEMS) listed.push(`- …and ${problems.length - MAX_LISTED_PROBLEMS} more`);
  return [
    "**The ai-agent configuration is invalid, so nothing was started.**",
    "",
    ...listed,
    "",
    "Fix the file and trigger again.",
  ].join("\n");
}

function tooLargeMessage(bytes: number): string {
  return `the file is ${bytes} bytes; the limit is ${MAX_REPO_CONFIG_BYTES} bytes (64 KiB)`;
}

/** yaml's messages, reworded where a shorter one tells the person more. */
function yamlErrorMessage(code: string, message: string, text: string, pos: [number, number]): string {
  switch (code) {
    case "DUPLICATE_KEY":
      return `duplicate key ${describeValue(keyText(text, pos[0]))}; each key may appear once per mapping`;
    case "TAB_AS_INDENT":
      return "YAML does not allow tabs for indentation; indent with spaces";
    case "MULTIPLE_DOCS":
      return 'the file holds more than one YAML document (a "---" line after content); keep one';
    default:
      return `YAML syntax error: ${message}`;
  }
}

/** The key as written at `offset`, for a message. */
function keyText(text: string, offset: number): string {
  const line = text.slice(offset).split(/\r?\n/, 1)[0] ?? "";
  const key = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:#]*?)\s*:(?:\s|$)/.exec(line)?.[1] ?? line;
  return key.trim().replace(/^(["'])(.*)\1$/, "$2");
}

/**
 * What YAML allows but a configuration cannot use: keys that are lists or mappings (`? [a, b]`)
 * would reach JavaScript as "[object]" strings, and an alias before its anchor names nothing.
 */
function structuralProblems(doc: Document): { offset: number; message: string }[] {
  const problems: { offset: number; message: string }[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (pair.key !== null && !isScalar(pair.key)) {
        problems.push({ offset: offsetOf(pair.key) ?? 0, message: "keys must be plain names, not lists or mappings" });
      }
    },
    Alias(_, alias) {
      if (alias.resolve(doc) === undefined) {
        const name = alias.source;
        problems.push({ offset: offsetOf(alias) ?? 0, message: `YAML alias *${name} has no anchor &${name} before it` });
      }
    },
  });
  return problems;
}

function firstAliasOffset(doc: Document): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_, alias) {
      offset = alias.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

function offsetOf(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0] ?? undefined;
}

/** The node at `path`, or as far along it as the document goes (the parent of a missing key). */
function walk(doc: Document, path: readonly PathSegment[]): { node: unknown; keyNode?: unknown; complete: boolean } {
  let node: unknown = doc.contents;
  let keyNode: unknown;
  for (const segment of path) {
    // Follow an alias into the value it names; positions are then those of the anchored value.
    const current = isAlias(node) ? node.resolve(doc) : node;
    let next: { key?: unknown; value: unknown } | undefined;
    if (isMap(current)) {
      const pair = current.items.find((item) => isScalar(item.key) && keyName(item.key.value) === String(segment));
      next = pair ? { key: pair.key, value: pair.value } : undefined;
    } else if (isSeq(current) && typeof segment === "number") {
      next = segment < current.items.length ? { value: current.items[segment] } : undefined;
    }
    if (!next) return { node, keyNode, complete: false };
    node = next.value;
    keyNode = next.key;
  }
  return { node, keyNode, complete: true };
}

/** A scalar key as JavaScript sees it after `toJS`. */
function keyName(value: unknown): string | undefined {
  if (value === null) return "";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return undefined;
}

/** Where the value at `path` is written; for a missing key, its parent mapping. */
function valueOffset(doc: Document, path: readonly PathSegment[]): number {
  const { node, keyNode } = walk(doc, path);
  const range = (node as Node | null)?.range;
  // An empty value (`drafts:`) has a zero-width range after the colon; the key is the better mark.
  if (range && range[0] === range[1] && keyNode !== undefined) return offsetOf(keyNode) ?? range[0];
  return range?.[0] ?? offsetOf(keyNode) ?? 0;
}

/** Where the key at the end of `path` is written. */
function keyOffset(doc: Document, path: readonly PathSegment[]): number {
  const found = walk(doc, path);
  return (found.complete ? offsetOf(found.keyNode) : undefined) ?? valueOffset(doc, path.slice(0, -1));
}

/** `triggers.commands[1]`; keys that are not plain names are quoted. */
function formatPath(path: readonly PathSegment[]): string {
  return path
    .map((segment, index) => {
      if (typeof segment === "number") return `[${segment}]`;
      const name = /^[A-Za-z0-9_-]+$/.test(segment) ? segment : JSON.stringify(segment);
      return index === 0 ? name : `.${name}`;
    })
    .join("");
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * Messages quote what the file says (unknown keys, values), and the comment is posted by the app:
 * nothing in them may render as a mention, a link or markup.
 */
function escapeMarkdown(text: string): string {
  return (
    text
      .replace(/\s+/g, " ")
      .replace(/[\\`*_[\]<>|~!&]/g, "\\$&")
      // GitHub links mentions and #references after rendering, so escapes do not stop them; an
      // invisible word joiner after the sign does.
      .replace(/[@#]/g, "$&\u2060")
  );
}
