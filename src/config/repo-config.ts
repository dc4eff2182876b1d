import { type Document, LineCounter, Scalar, isMap, isScalar, isSeq, parseDocument, visit } from "yaml";
import { z } from "zod";
import { httpStatus } from "../github/client.js";
import type { ActionRegistry } from "../workflows/actions.js";
import { builtInActions } from "../workflows/actions/index.js";
import { effectiveWorkflows } from "../workflows/built-in.js";
import { type WorkflowProblem, checkWorkflowLabels, checkWorkflows } from "../workflows/validate.js";
import { type RepoConfig, defaultRepoConfig, describeValue, repoConfigSchema } from "./repo-config-schema.js";
import { type PathSegment, firstAliasOffset, keyOffset, offsetOf, valueOffset, walk } from "./yaml-positions.js";

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

/** `actions`: the actions workflows may use; the server's own unless a test or service adds some. */
export function parseRepoConfig(text: string, file = REPO_CONFIG_PATH, actions: ActionRegistry = builtInActions()): RepoConfigResult {
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
  if (parsed.success) {
    const written = parsed.data.workflows;
    const effective = effectiveWorkflows(written);
    const { triggers } = parsed.data;
    const workflowProblems = [
      ...checkWorkflowLabels(triggers.workflow_labels, triggers.implement_label, effective),
      ...checkWorkflows(written, effective, actions),
    ];
    if (workflowProblems.length === 0) return { ok: true, config: parsed.data, source: "file" };
    return fail(
      workflowProblems.map((problem) => ({ file, ...problemPosition(doc, text, lineCounter, problem), message: `${formatPath(problem.path)}: ${problem.message}` })),
    );
  }
  const problems: ConfigProblem[] = [];
  for (const issue of parsed.error.issues) {
    const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== "symbol");
    if (issue.code === "unrecognized_keys") {
      // One problem per key, each pointing at the key itself.
      for (const key of issue.keys) problems.push({ ...at(keyOffset(doc, [...path, key])), message: `${formatPath([...path, key])}: ${issue.message}` });
    } else {
      const prefix = path.length > 0 ? `${formatPath(path)}: ` : "";
      // A key that is not a valid name (a workflow's) is marked at the key itself.
      const offset = issue.code === "invalid_key" ? keyOffset(doc, path) : valueOffset(doc, path);
      problems.push({ ...at(offset), message: `${prefix}${issue.message}` });
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
  actions?: ActionRegistry,
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
  return parseRepoConfig(text, file, actions);
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

/**
 * Where a workflow problem is: the value at its path, or inside a template, the spot in the
 * template — exact for one-line values, by line and indentation for block scalars (`|`, `>`).
 */
function problemPosition(doc: Document, text: string, lineCounter: LineCounter, problem: WorkflowProblem): { line: number; column: number } {
  const start = lineCounter.linePos(problem.atKey ? keyOffset(doc, problem.path) : valueOffset(doc, problem.path));
  const base = { line: start.line, column: start.col };
  const inside = problem.inTemplate;
  const { node } = walk(doc, problem.path);
  if (!inside || !isScalar(node)) return base;
  if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
    const line = start.line + inside.line;
    const indent = /^ */.exec(text.split(/\r?\n/)[line - 1] ?? "")?.[0].length ?? 0;
    return { line, column: indent + inside.column };
  }
  if (inside.line > 1) return { line: start.line + inside.line - 1, column: inside.column };
  const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? 1 : 0;
  return { line: start.line, column: start.col + quoted + inside.column - 1 };
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
