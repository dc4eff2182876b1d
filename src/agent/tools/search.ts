import { execFile } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import picomatch from "picomatch";
import { z } from "zod";
import { type PathPolicy, VIRTUAL_ROOT } from "../paths.js";
import { type ToolOutcome, ToolInputError } from "./types.js";

/**
 * `find_files` (by glob) and `search` (by regular expression) over the workspace's files: those git
 * tracks plus new ones not ignored. Output is bounded, so a broad pattern cannot flood the context.
 */

const run = promisify(execFile);
export const MAX_FOUND_FILES = 200;
export const MAX_MATCHES = 100;
const MAX_LINE = 300;
const MAX_SEARCHED_BYTES = 1024 * 1024;

/** The workspace's files, relative, as git sees them (tracked, and untracked but not ignored). */
export async function workspaceFiles(root: string): Promise<string[]> {
  const { stdout } = await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    maxBuffer: 256 * 1024 * 1024,
    env: { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
  });
  return [...new Set(stdout.split("\0").filter(Boolean))].sort();
}

const findInput = z.object({ pattern: z.string().min(1), max_results: z.number().int().min(1).max(MAX_FOUND_FILES).optional() });

export async function findFiles(input: unknown, policy: PathPolicy): Promise<ToolOutcome> {
  const parsed = findInput.safeParse(input);
  if (!parsed.success) throw new ToolInputError(`invalid input for find_files: ${z.prettifyError(parsed.error)}`);
  const pattern = parsed.data.pattern.replace(new RegExp(`^${VIRTUAL_ROOT}/`), "");
  const matches = picomatch(pattern, { dot: true, basename: !pattern.includes("/") });
  const limit = parsed.data.max_results ?? MAX_FOUND_FILES;
  const found = (await workspaceFiles(policy.root)).filter((file) => matches(file));
  if (found.length === 0) return { content: `No files match ${parsed.data.pattern}.` };
  const shown = found.slice(0, limit).map((file) => `${VIRTUAL_ROOT}/${file}`);
  if (found.length > limit) shown.push(`… ${found.length - limit} more; use a narrower pattern`);
  return { content: shown.join("\n") };
}

const searchInput = z.object({
  pattern: z.string().min(1),
  /** Only files matching this glob. */
  include: z.string().optional(),
  ignore_case: z.boolean().optional(),
  max_results: z.number().int().min(1).max(MAX_MATCHES).optional(),
});

export async function searchFiles(input: unknown, policy: PathPolicy): Promise<ToolOutcome> {
  const parsed = searchInput.safeParse(input);
  if (!parsed.success) throw new ToolInputError(`invalid input for search: ${z.prettifyError(parsed.error)}`);
  let regex: RegExp;
  try {
    regex = new RegExp(parsed.data.pattern, parsed.data.ignore_case ? "i" : "");
  } catch (error) {
    throw new ToolInputError(`invalid regular expression: ${(error as Error).message}`);
  }
  const include = parsed.data.include ? picomatch(parsed.data.include.replace(new RegExp(`^${VIRTUAL_ROOT}/`), ""), { dot: true, basename: !parsed.data.include.includes("/") }) : () => true;
  const limit = parsed.data.max_results ?? MAX_MATCHES;
  const lines: string[] = [];
  let total = 0;
  for (const file of (await workspaceFiles(policy.root)).filter((f) => include(f))) {
    const absolute = path.join(policy.root, file);
    const info = await stat(absolute).catch(() => undefined);
    if (!info?.isFile() || info.size > MAX_SEARCHED_BYTES) continue;
    const buffer = await readFile(absolute);
    if (buffer.includes(0)) continue;
    const text = buffer.toString("utf8").split("\n");
    for (const [index, line] of text.entries()) {
      if (!regex.test(line)) continue;
      total++;
      if (lines.length < limit) lines.push(`${VIRTUAL_ROOT}/${file}:${index + 1}: ${line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line}`);
    }
  }
  if (total === 0) return { content: `No matches for /${parsed.data.pattern}/.` };
  if (total > limit) lines.push(`… ${total - limit} more matches; narrow the pattern or use include`);
  return { content: lines.join("\n") };
}
