import { type Hunk, parsePatch } from "./diff.js";

/**
 * Large pull requests in token-budgeted chunks. Files are ordered by relevance (source, then tests,
 * configuration, documentation; bigger changes first within each), and packed greedily into chunks
 * of at most `budget` tokens; a file bigger than a chunk is split between hunks. Every reviewable
 * file lands in a chunk — none is dropped silently; only files past a cap (`review.max_files`,
 * when set) are left out, and they are named.
 */

export interface ReviewableFile {
  path: string;
  patch: string;
  additions: number;
  deletions: number;
}

/** A file, or part of one (some of its hunks), in a chunk. */
export interface ChunkFile {
  path: string;
  hunks: Hunk[];
  /** This part's patch text. */
  patch: string;
  part?: { index: number; of: number };
}

export interface Chunk {
  files: ChunkFile[];
  tokens: number;
}

export interface ChunkPlan {
  chunks: Chunk[];
  /** Files past the cap, by path, most relevant first. */
  overCap: string[];
  /** Reviewable files that are in some chunk. */
  assigned: number;
}

/** About 3.5 characters per token for code, rounded up; the API's count replaces it when it can. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 3.5);

const SOURCE = /\.(ts|tsx|js|jsx|mjs|cjs|py|go|rs|java|kt|kts|rb|c|cc|cpp|h|hpp|cs|swift|php|scala|sql|sh|vue|svelte)$/i;
const TEST = /(^|\/)(test|tests|spec|__tests__)\/|\.(test|spec)\.[a-z]+$|_test\.(go|py)$/i;
const DOCS = /\.(md|mdx|rst|txt|adoc)$/i;

export function relevance(path: string): number {
  if (TEST.test(path)) return 2;
  if (SOURCE.test(path)) return 3;
  if (DOCS.test(path)) return 0;
  return 1;
}

const FILE_OVERHEAD = 20;

export function planChunks(files: readonly ReviewableFile[], options: { budget: number; maxFiles?: number | undefined; count?: (text: string) => number }): ChunkPlan {
  const ordered = orderByRelevance(files);
  const cap = options.maxFiles ?? ordered.length;
  const kept = ordered.slice(0, cap);
  const overCap = ordered.slice(cap).map((file) => file.path);
  return { chunks: packChunks(kept, options), overCap, assigned: kept.length };
}

/** Most relevant first: source, tests, configuration, documentation; bigger changes first within each. */
export function orderByRelevance<T extends ReviewableFile>(files: readonly T[]): T[] {
  return [...files].sort((a, b) => relevance(b.path) - relevance(a.path) || b.additions + b.deletions - (a.additions + a.deletions) || a.path.localeCompare(b.path));
}

/** `files`, in the order given, packed greedily into chunks of at most `budget` tokens. */
export function packChunks(files: readonly ReviewableFile[], options: { budget: number; count?: (text: string) => number }): Chunk[] {
  const count = options.count ?? estimateTokens;
  const chunks: Chunk[] = [];
  let current: Chunk = { files: [], tokens: 0 };
  const add = (part: ChunkFile, tokens: number) => {
    if (current.files.length > 0 && current.tokens + tokens > options.budget) {
      chunks.push(current);
      current = { files: [], tokens: 0 };
    }
    current.files.push(part);
    current.tokens += tokens;
  };
  for (const file of files) {
    const hunks = parsePatch(file.patch);
    const tokens = count(file.patch) + FILE_OVERHEAD;
    if (tokens <= options.budget) {
      add({ path: file.path, hunks, patch: file.patch }, tokens);
      continue;
    }
    // Too big for one chunk: parts of whole hunks, each within the budget (a single huge hunk alone).
    const parts: { hunks: Hunk[]; texts: string[]; tokens: number }[] = [];
    let part = { hunks: [] as Hunk[], texts: [] as string[], tokens: FILE_OVERHEAD };
    const texts = hunkTexts(file.patch);
    for (const [index, hunk] of hunks.entries()) {
      const text = texts[index] ?? "";
      const size = count(text);
      if (part.hunks.length > 0 && part.tokens + size > options.budget) {
        parts.push(part);
        part = { hunks: [], texts: [], tokens: FILE_OVERHEAD };
      }
      part.hunks.push(hunk);
      part.texts.push(text);
      part.tokens += size;
    }
    if (part.hunks.length > 0) parts.push(part);
    parts.forEach((piece, index) => add({ path: file.path, hunks: piece.hunks, patch: piece.texts.join("\n"), part: { index: index + 1, of: parts.length } }, piece.tokens));
  }
  if (current.files.length > 0) chunks.push(current);
  return chunks;
}

/** The text of each hunk of a patch: from its header to the next one. */
function hunkTexts(patch: string): string[] {
  const lines = patch.split("\n");
  const starts: number[] = [];
  lines.forEach((line, i) => {
    if (line.startsWith("@@ ")) starts.push(i);
  });
  return starts.map((start, i) => lines.slice(start, starts[i + 1] ?? lines.length).join("\n"));
}
