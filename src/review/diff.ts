/**
 * Unified diff hunks with line numbers on both sides, and the one question a review must get right:
 * may a comment go on these lines? GitHub accepts a review comment only on lines of the diff (a
 * RIGHT-side line added or kept as context, a LEFT-side line removed or kept), and a multi-line
 * comment only when both ends lie in the same hunk; anything else is a 422 for the whole review.
 */

export type Side = "LEFT" | "RIGHT";

export interface DiffLine {
  kind: "add" | "del" | "context";
  /** Line number in the old file; absent for an added line. */
  oldLine?: number;
  /** Line number in the new file; absent for a removed line. */
  newLine?: number;
  text: string;
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  header: string;
  lines: DiffLine[];
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;

/** The hunks of one file's patch, as GitHub's files API gives it (starting at the first `@@`). */
export function parsePatch(patch: string): Hunk[] {
  const hunks: Hunk[] = [];
  let current: Hunk | undefined;
  let oldLine = 0;
  let newLine = 0;
  for (const raw of patch.split("\n")) {
    const header = HUNK_HEADER.exec(raw);
    if (header) {
      current = {
        oldStart: Number(header[1]),
        oldLines: header[2] === undefined ? 1 : Number(header[2]),
        newStart: Number(header[3]),
        newLines: header[4] === undefined ? 1 : Number(header[4]),
        header: header[5]?.trim() ?? "",
        lines: [],
      };
      hunks.push(current);
      oldLine = current.oldStart;
      newLine = current.newStart;
      continue;
    }
    if (!current || raw.startsWith("\\")) continue; // "\ No newline at end of file"
    const marker = raw[0];
    const text = raw.slice(1);
    if (marker === "+") current.lines.push({ kind: "add", newLine: newLine++, text });
    else if (marker === "-") current.lines.push({ kind: "del", oldLine: oldLine++, text });
    else if (marker === " ") current.lines.push({ kind: "context", oldLine: oldLine++, newLine: newLine++, text });
  }
  return hunks;
}

/** Splits a whole `git diff` into each file's patch, keyed by the new path (old path for deletions). */
export function splitDiff(diff: string): Map<string, string> {
  const files = new Map<string, string>();
  const sections = diff.split(/^diff --git /m).slice(1);
  for (const section of sections) {
    const newPath = /^\+\+\+ b\/(.+)$/m.exec(section)?.[1] ?? /^--- a\/(.+)$/m.exec(section)?.[1];
    const start = section.search(/^@@ /m);
    if (!newPath || start === -1) continue;
    files.set(newPath, section.slice(start).replace(/\n$/, ""));
  }
  return files;
}

/** Where comments may go in one file. */
export class FileLines {
  private readonly hunkOf = { LEFT: new Map<number, number>(), RIGHT: new Map<number, number>() };

  constructor(readonly hunks: Hunk[]) {
    hunks.forEach((hunk, index) => {
      for (const line of hunk.lines) {
        if (line.newLine !== undefined) this.hunkOf.RIGHT.set(line.newLine, index);
        if (line.oldLine !== undefined) this.hunkOf.LEFT.set(line.oldLine, index);
      }
    });
  }

  /** Whether `line` (and `startLine`, for a range) may carry a comment on `side`: all in one hunk. */
  accepts(side: Side, line: number, startLine?: number): boolean {
    const end = this.hunkOf[side].get(line);
    if (end === undefined) return false;
    if (startLine === undefined || startLine === line) return true;
    if (startLine > line) return false;
    return this.hunkOf[side].get(startLine) === end;
  }

  /** The new file's lines that the diff adds. */
  addedLines(): number[] {
    return this.hunks.flatMap((hunk) => hunk.lines.filter((l) => l.kind === "add").map((l) => l.newLine!));
  }
}
