import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileLines, type Hunk, parsePatch, splitDiff } from "../../src/review/diff.js";
import { git } from "../helpers/git.js";

/** A small seeded generator, so a failing diff can be made again. */
function random(seed: number) {
  let state = seed >>> 0;
  return (below: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % below;
  };
}

const FILES = 200;

describe("diff line mapping over generated diffs", () => {
  let dir: string;
  let patches: Map<string, string>;
  const before = new Map<string, string[]>();
  const after = new Map<string, string[]>();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ai-agent-diff-"));
    const next = random(20261124);
    git(dir, "init", "-q");
    await mkdir(path.join(dir, "src"), { recursive: true });
    for (let f = 0; f < FILES; f++) {
      const lines = Array.from({ length: 5 + next(120) }, (_, i) => `line ${i} of file ${f} ${next(1000)}`);
      before.set(`src/f${f}.txt`, lines);
      await writeFile(path.join(dir, `src/f${f}.txt`), `${lines.join("\n")}\n`);
    }
    git(dir, "add", ".");
    git(dir, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "before");
    for (let f = 0; f < FILES; f++) {
      const lines = [...before.get(`src/f${f}.txt`)!];
      for (let edit = 0, edits = 1 + next(8); edit < edits; edit++) {
        const at = next(lines.length + 1);
        const kind = next(3);
        if (kind === 0) lines.splice(at, 0, ...Array.from({ length: 1 + next(4) }, (_, i) => `added ${f}.${edit}.${i}`));
        else if (kind === 1 && lines.length > 1) lines.splice(at, 1 + next(3));
        else if (at < lines.length) lines[at] = `changed ${f}.${edit}`;
      }
      after.set(`src/f${f}.txt`, lines);
      await writeFile(path.join(dir, `src/f${f}.txt`), `${lines.join("\n")}\n`);
    }
    // Varied context sizes, as GitHub's patches are cut from diffs with 3 lines of context.
    patches = splitDiff(git(dir, "diff", "-U3"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("numbers every line as the files number it", async () => {
    expect(patches.size).toBeGreaterThan(FILES * 0.9);
    let checked = 0;
    for (const [file, patch] of patches) {
      const oldLines = before.get(file)!;
      const newLines = (await readFile(path.join(dir, file), "utf8")).split("\n");
      for (const hunk of parsePatch(patch)) {
        for (const line of hunk.lines) {
          if (line.newLine !== undefined) expect(newLines[line.newLine - 1]).toBe(line.text);
          if (line.oldLine !== undefined) expect(oldLines[line.oldLine - 1]).toBe(line.text);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it("accepts a comment only on lines inside one hunk, on its side", () => {
    const next = random(7);
    let accepted = 0;
    let refused = 0;
    for (const [file, patch] of patches) {
      const hunks: Hunk[] = parsePatch(patch);
      const lines = new FileLines(hunks);
      const inHunk = (side: "LEFT" | "RIGHT", n: number) =>
        hunks.findIndex((h) => h.lines.some((l) => (side === "RIGHT" ? l.newLine : l.oldLine) === n));
      const max = Math.max(before.get(file)!.length, after.get(file)!.length) + 5;
      for (let probe = 0; probe < 200; probe++) {
        const side = next(2) === 0 ? "RIGHT" : "LEFT";
        const end = 1 + next(max);
        const start = next(3) === 0 ? Math.max(1, end - next(6)) : undefined;
        const ok = lines.accepts(side, end, start);
        // The oracle: both ends in the same hunk, on that side.
        const endHunk = inHunk(side, end);
        const expected = endHunk !== -1 && (start === undefined || (start <= end && inHunk(side, start) === endHunk));
        expect({ file, side, start, end, ok }).toEqual({ file, side, start, end, ok: expected });
        if (ok) {
          accepted++;
          // Every line of an accepted range is in that hunk too.
          for (let n = start ?? end; n <= end; n++) expect(inHunk(side, n)).toBe(endHunk);
        } else refused++;
      }
    }
    expect(accepted).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(500);
  });
});

describe("parsePatch", () => {
  it("reads headers without counts, and skips 'no newline' markers", () => {
    const hunks = parsePatch("@@ -1 +1,2 @@ heading\n-old\n+new\n+more\n\\ No newline at end of file");
    expect(hunks).toEqual([
      {
        oldStart: 1,
        oldLines: 1,
        newStart: 1,
        newLines: 2,
        header: "heading",
        lines: [
          { kind: "del", oldLine: 1, text: "old" },
          { kind: "add", newLine: 1, text: "new" },
          { kind: "add", newLine: 2, text: "more" },
        ],
      },
    ]);
  });
});
