import picomatch from "picomatch";
import { z } from "zod";
import { formatDuration } from "../../core/format.js";
import { runGit } from "../../workspace/git.js";
import { type PathPolicy, type WorkspaceEntry, VIRTUAL_ROOT } from "../../workspace/paths.js";
import { SEARCH_DEADLINE_MS, runSearch } from "./search-worker.js";
import { parseToolInput } from "./input.js";
import { type ToolOutcome, ToolInputError } from "./types.js";

/**
 * `find_files` (by glob) and `search` (by regular expression) over the workspace's files: those git
 * tracks plus new ones not ignored, as the path policy lets them be read (links that lead out of the
 * workspace, or nowhere, are left out). Output is bounded, so a broad pattern cannot flood the
 * context, and the search runs in a worker with a deadline, so a pattern cannot stall the app.
 */

export const MAX_FOUND_FILES = 200;
export const MAX_MATCHES = 100;
const MAX_LINE = 300;
const MAX_SEARCHED_BYTES = 1024 * 1024;
/** lstat calls in flight at once while filtering git's list. */
const LOOKUPS_AT_ONCE = 64;
export { SEARCH_DEADLINE_MS };

export interface WorkspaceFile extends WorkspaceEntry {
  /** Relative to the workspace, with `/`, as git names it. */
  relative: string;
}

/** The workspace's files as git sees them (tracked, and untracked but not ignored) that the policy lets be read. */
export async function workspaceFiles(policy: PathPolicy): Promise<WorkspaceFile[]> {
  // HOME is the workspace itself: ls-files runs no hooks, and the most a repository's own
  // `.config/git/ignore` could do there is hide its own files, as its .gitignore can.
  const { stdout } = await runGit(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: policy.root, home: policy.root });
  const names = [...new Set(stdout.split("\0").filter(Boolean))].sort();
  const files: WorkspaceFile[] = [];
  for (let start = 0; start < names.length; start += LOOKUPS_AT_ONCE) {
    const batch = names.slice(start, start + LOOKUPS_AT_ONCE);
    const entries = await Promise.all(batch.map((name) => policy.lookup(name)));
    entries.forEach((entry, index) => {
      if (entry) files.push({ relative: batch[index]!, ...entry });
    });
  }
  return files;
}

const withoutRoot = (pattern: string) => pattern.replace(new RegExp(`^${VIRTUAL_ROOT}/`), "");
const globMatcher = (pattern: string) => picomatch(withoutRoot(pattern), { dot: true, basename: !pattern.includes("/") });

const findInput = z.object({ pattern: z.string().min(1), max_results: z.number().int().min(1).max(MAX_FOUND_FILES).optional() });

export async function findFiles(input: unknown, policy: PathPolicy): Promise<ToolOutcome> {
  const request = parseToolInput("find_files", findInput, input);
  const matches = globMatcher(request.pattern);
  const limit = request.max_results ?? MAX_FOUND_FILES;
  const found = (await workspaceFiles(policy)).filter((file) => matches(file.relative));
  if (found.length === 0) return { content: `No files match ${request.pattern}.` };
  const shown = found.slice(0, limit).map((file) => `${VIRTUAL_ROOT}/${file.relative}`);
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

export interface SearchOptions {
  /** How long the search may run; SEARCH_DEADLINE_MS unless a test wants less. */
  deadlineMs?: number;
}

export async function searchFiles(input: unknown, policy: PathPolicy, options: SearchOptions = {}): Promise<ToolOutcome> {
  const request = parseToolInput("search", searchInput, input);
  const flags = request.ignore_case ? "i" : "";
  try {
    new RegExp(request.pattern, flags); // compiling is safe on this thread; matching is not
  } catch (error) {
    throw new ToolInputError(`invalid regular expression: ${(error as Error).message}`);
  }
  const include = request.include ? globMatcher(request.include) : () => true;
  const limit = request.max_results ?? MAX_MATCHES;
  const files = (await workspaceFiles(policy))
    .filter((file) => file.isFile && include(file.relative))
    .map((file) => ({ absolute: file.absolute, shown: `${VIRTUAL_ROOT}/${file.relative}` }));
  const deadlineMs = options.deadlineMs ?? SEARCH_DEADLINE_MS;
  const result = await runSearch({ files, pattern: request.pattern, flags, limit, maxLine: MAX_LINE, maxBytes: MAX_SEARCHED_BYTES }, deadlineMs).catch((error: Error) => {
    throw new ToolInputError(`the search failed (${error.message}); use a simpler pattern or include`);
  });
  if (result.kind === "timeout") {
    throw new ToolInputError(`the search took longer than ${formatDuration(deadlineMs)} and was stopped; use a simpler pattern or include`);
  }
  if (result.total === 0) return { content: `No matches for /${request.pattern}/.` };
  const lines = [...result.lines];
  if (result.total > limit) lines.push(`… ${result.total - limit} more matches; narrow the pattern or use include`);
  return { content: lines.join("\n") };
}
