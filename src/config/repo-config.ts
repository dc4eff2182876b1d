import { type Document, LineCounter, Scalar, isMap, isScalar, isSeq, parseDocument, visit } from "yaml";
import type { WorkflowProblem } from "./workflow-problem.js";
import { type IntegrationSet, builtInIntegrations } from "../integrations/registry.js";
import { repoConfigSchemaFor } from "./repo-config-composed.js";
import { type RepoConfig, defaultRepoConfig, describeValue } from "./repo-config-schema.js";
import { type PathSegment, firstAliasOffset, keyOffset, offsetOf, valueOffset, walk } from "./yaml-positions.js";
import {
  type ConfigProblem,
  type ConfigSourceOptions,
  type RepoContentsClient,
  MAX_REPO_CONFIG_BYTES,
  mergeConfigs,
  parseExtends,
  readConfigChain,
  settingOf,
} from "./config-sources.js";

/**
 * Reads a repository's `.github/ai-agent.yml` (or its organisation's, and the files they extend:
 * config-sources.ts): fetch, parse YAML, validate, and turn every problem into one a person can
 * act on — the file, the key's path, what was expected, and the line and column in that file.
 * Nothing here throws for anything a repository can put in the file; only GitHub failing (other
 * than 404) is an exception.
 *
 * What the schema cannot say of the workflows (the actions exist, templates read real fields) is
 * checked by the workflow layer, which passes its check in: `workflow/repo-config.ts` gives the
 * loader as the app and the CLI use it.
 */

export { MAX_REPO_CONFIG_BYTES, REPO_CONFIG_PATH, type ConfigProblem, type ConfigSourceOptions, type RepoContentsClient } from "./config-sources.js";
/** YAML aliases allowed per file: enough for reuse, too few for a "billion laughs" expansion. */
const MAX_ALIAS_COUNT = 100;
const MAX_LISTED_PROBLEMS = 20;

export type { RepoConfig } from "./repo-config-schema.js";
export { defaultRepoConfig } from "./repo-config-schema.js";

/**
 * The workflow problems of a configuration that fits the schema; none means it may be used. The
 * configuration's `workflows` are its own, before the built-in ones are added.
 */
export type WorkflowCheck = (config: RepoConfig) => WorkflowProblem[];

/** `source` says whether a file was read ("file", even an empty one) or there was none ("default"). */
export type RepoConfigResult =
  | { ok: true; config: RepoConfig; source: "file" | "default" }
  | { ok: false; problems: ConfigProblem[] };

/** One file of a configuration, parsed: its settings and where each is written. */
interface ConfigDocument {
  file: string;
  text: string;
  doc: Document;
  lineCounter: LineCounter;
  /** The file's settings, `_extends` left out; null for an empty file. */
  data: Record<string, unknown> | null;
  /** What the file's `_extends` says, and where. */
  extends?: { value: unknown; offset: number };
}

type Failed = { ok: false; problems: ConfigProblem[] };
const fail = (problems: ConfigProblem[]): Failed => ({ ok: false, problems: sortProblems(problems) });
const atStartOf = (file: string, message: string): Failed => fail([{ file, line: 1, column: 1, message }]);

function position(document: Pick<ConfigDocument, "file" | "lineCounter">, offset: number): Pick<ConfigProblem, "file" | "line" | "column"> {
  const { line, col } = document.lineCounter.linePos(offset);
  return { file: document.file, line, column: col };
}

/** One file on its own, as the CLI validates it. */
export function parseConfigText(text: string, file: string, check: WorkflowCheck, integrations: IntegrationSet = builtInIntegrations): RepoConfigResult {
  const read = readConfigDocument(text, file);
  if (!read.ok) return read;
  // A file on its own (the CLI): `_extends` is checked for its form; the app follows it.
  const named = read.document.extends;
  const target = named ? parseExtends(named.value, { owner: "", repo: "", path: file }) : undefined;
  if (named && target && "problem" in target) return fail([{ ...position(read.document, named.offset), message: target.problem }]);
  return validateConfig([read.document], check, integrations);
}

/** The file's YAML, with everything YAML allows but a configuration cannot use reported. */
function readConfigDocument(text: string, file: string): { ok: true; document: ConfigDocument } | Failed {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_REPO_CONFIG_BYTES) return atStartOf(file, tooLargeMessage(bytes));

  const lineCounter = new LineCounter();
  // prettyErrors off: the message stays one line; the position comes from the line counter.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => position({ file, lineCounter }, offset);
  if (doc.errors.length > 0) {
    return fail(doc.errors.map((error) => ({ ...at(error.pos[0]), message: yamlErrorMessage(error.code, error.message, text, error.pos) })));
  }

  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return { ok: true, document: { file, text, doc, lineCounter, data: null } };
  if (!isMap(root)) {
    const found = isSeq(root) ? "a list" : isScalar(root) ? describeValue(root.value) : "something else";
    return fail([{ ...at(root.range?.[0] ?? 0), message: `expected a mapping of settings (key: value) starting with "version: 1"; found ${found}` }]);
  }

  const structural = structuralProblems(doc);
  if (structural.length > 0) return fail(structural.map(({ offset, message }) => ({ ...at(offset), message })));

  let data: Record<string, unknown>;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as Record<string, unknown>;
  } catch (error) {
    // yaml counts alias expansions while building the value and throws past the limit.
    const firstAlias = firstAliasOffset(doc);
    const message = /alias count/i.test((error as Error).message)
      ? `too many YAML aliases (*name): the file expands to more than ${MAX_ALIAS_COUNT} aliased values; write the values out or reuse fewer`
      : `cannot read the YAML: ${(error as Error).message}`;
    return fail([{ ...at(firstAlias ?? 0), message }]);
  }
  const { _extends: extendsValue, ...settings } = data;
  const named = "_extends" in data ? { extends: { value: extendsValue, offset: valueOffset(doc, ["_extends"]) } } : {};
  return { ok: true, document: { file, text, doc, lineCounter, data: settings, ...named } };
}

/**
 * The settings of the files (nearest first, merged as `mergeConfigs` says) checked against the
 * schema and the workflows; each problem is placed in the file its setting came from.
 */
function validateConfig(documents: readonly [ConfigDocument, ...ConfigDocument[]], check: WorkflowCheck, integrations: IntegrationSet): RepoConfigResult {
  const written = documents.flatMap((document) => (document.data ? [document.data] : []));
  if (written.length === 0) return { ok: true, config: defaultRepoConfig(), source: "file" };
  // The file a path's setting comes from: the nearest that writes it, else the nearest file.
  const ownerOf = (path: readonly PathSegment[]): ConfigDocument =>
    documents.find((document) => walk(document.doc, settingOf(path)).complete) ??
    documents.find((document) => path.length > 0 && walk(document.doc, path.slice(0, 1)).complete) ??
    documents[0];
  const placed = (problems: { path: readonly PathSegment[]; problem: (document: ConfigDocument) => ConfigProblem }[]): Failed => {
    const byFile = problems.map(({ path, problem }) => problem(ownerOf(path)));
    // Grouped by file, nearest first, each in the order of its lines.
    return { ok: false, problems: documents.flatMap((document) => sortProblems(byFile.filter((p) => p.file === document.file))) };
  };

  const parsed = repoConfigSchemaFor(integrations).safeParse(mergeConfigs(written));
  if (parsed.success) {
    const workflowProblems = check(parsed.data);
    if (workflowProblems.length === 0) return { ok: true, config: parsed.data, source: "file" };
    return placed(
      workflowProblems.map((problem) => ({
        path: problem.path,
        problem: ({ file, doc, text, lineCounter }) => ({ file, ...problemPosition(doc, text, lineCounter, problem), message: `${formatPath(problem.path)}: ${problem.message}` }),
      })),
    );
  }
  const problems: { path: readonly PathSegment[]; problem: (document: ConfigDocument) => ConfigProblem }[] = [];
  for (const issue of parsed.error.issues) {
    const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== "symbol");
    if (issue.code === "unrecognized_keys") {
      // One problem per key, each pointing at the key itself.
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        problems.push({ path: keyPath, problem: (document) => ({ ...position(document, keyOffset(document.doc, keyPath)), message: `${formatPath(keyPath)}: ${issue.message}` }) });
      }
    } else {
      const prefix = path.length > 0 ? `${formatPath(path)}: ` : "";
      // A key that is not a valid name (a workflow's) is marked at the key itself.
      const offsetIn = (doc: Document) => (issue.code === "invalid_key" ? keyOffset(doc, path) : valueOffset(doc, path));
      problems.push({ path, problem: (document) => ({ ...position(document, offsetIn(document.doc)), message: `${prefix}${issue.message}` }) });
    }
  }
  return placed(problems);
}

/**
 * The configuration at `ref`: the repository's file; without one, its organisation's (`<owner>/.github`,
 * default branch); then each file `_extends` names. No file anywhere gives the defaults.
 */
export async function loadConfigChain(
  octokit: RepoContentsClient,
  target: { owner: string; repo: string; ref: string },
  check: WorkflowCheck,
  sources: ConfigSourceOptions & { integrations?: IntegrationSet } = {},
): Promise<RepoConfigResult> {
  const chain = await readConfigChain(octokit, target, sources, (fetched, file) => {
    if (fetched.kind === "too-large") return atStartOf(file, tooLargeMessage(fetched.bytes));
    if (fetched.kind === "unusable") return atStartOf(file, fetched.message);
    const read = readConfigDocument(fetched.text, file);
    if (!read.ok) return read;
    const named = read.document.extends;
    return { ok: true, link: { document: read.document, ...(named ? { extends: { value: named.value, at: position(read.document, named.offset) } } : {}) } };
  });
  if (!chain.ok) return fail(chain.problems);
  const [nearest, ...farther] = chain.documents;
  if (!nearest) return { ok: true, config: defaultRepoConfig(), source: "default" };
  return validateConfig([nearest, ...farther], check, sources.integrations ?? builtInIntegrations);
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
