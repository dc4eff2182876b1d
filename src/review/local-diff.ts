import type { ChangedFile } from "./files.js";

/**
 * A `git diff` of the agent's branch (the workspace's `diff()`: what the branch adds since it left
 * the base) as the changed files a pull request's files API would list: path, status, counts and
 * the patch from its first `@@`. So the agent's own change goes through the same filters, chunks
 * and reviewer as a pull request, before there is one. A binary file, or one whose mode alone
 * changed, has no patch, as on GitHub.
 */

export function localChangedFiles(diff: string): ChangedFile[] {
  const files: ChangedFile[] = [];
  for (const section of diff.split(/^diff --git /m).slice(1)) {
    const file = changedFile(section);
    if (file) files.push(file);
  }
  return files;
}

function changedFile(section: string): ChangedFile | undefined {
  const lines = section.split("\n");
  const start = lines.findIndex((line) => line.startsWith("@@ "));
  const header = start === -1 ? lines : lines.slice(0, start);
  const oldPath = pathAfter(header, "--- ", "a/");
  const newPath = pathAfter(header, "+++ ", "b/");
  const binary = header.map((line) => /^Binary files (.+) and (.+) differ$/.exec(line)).find(Boolean);
  const named = newPath ?? oldPath ?? (binary ? (unprefixed(binary[2]!, "b/") ?? unprefixed(binary[1]!, "a/")) : undefined) ?? gitHeaderPath(header[0] ?? "");
  if (named === undefined) return undefined;
  const status = header.some((line) => line.startsWith("new file mode")) ? "added" : header.some((line) => line.startsWith("deleted file mode")) ? "removed" : "modified";
  if (start === -1) return { path: named, status, additions: 0, deletions: 0 };
  const patchLines = lines.slice(start);
  while (patchLines.length > 0 && patchLines.at(-1) === "") patchLines.pop();
  let additions = 0;
  let deletions = 0;
  for (const line of patchLines) {
    if (line.startsWith("+")) additions++;
    else if (line.startsWith("-")) deletions++;
  }
  return { path: named, status, additions, deletions, patch: patchLines.join("\n") };
}

/** The path on a `--- a/x` or `+++ b/x` line; undefined for `/dev/null` or when there is none. */
function pathAfter(header: readonly string[], marker: string, prefix: string): string | undefined {
  const line = header.find((l) => l.startsWith(marker));
  return line === undefined ? undefined : unprefixed(line.slice(marker.length).replace(/\t$/, ""), prefix);
}

function unprefixed(written: string, prefix: string): string | undefined {
  const name = unquote(written);
  return name.startsWith(prefix) ? name.slice(prefix.length) : undefined;
}

/** `a/x b/x` of the first line, for a change with no `---`/`+++` lines (a mode change). */
function gitHeaderPath(first: string): string | undefined {
  const half = (first.length - 1) / 2;
  if (!Number.isInteger(half)) return undefined;
  const [a, b] = [first.slice(0, half), first.slice(half + 1)];
  return a.startsWith("a/") && b.startsWith("b/") && a.slice(2) === b.slice(2) ? b.slice(2) : undefined;
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\", a: "\x07", b: "\b", f: "\f", v: "\v" };

/** A path git wrote in C quotes (`"b/caf\303\251.txt"`, for unusual characters) as it is. */
export function unquote(written: string): string {
  if (!(written.length >= 2 && written.startsWith('"') && written.endsWith('"'))) return written;
  const bytes: number[] = [];
  const body = written.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char !== "\\") {
      bytes.push(...Buffer.from(char, "utf8"));
      continue;
    }
    const octal = /^[0-7]{3}/.exec(body.slice(i + 1));
    if (octal) {
      bytes.push(Number.parseInt(octal[0], 8));
      i += 3;
      continue;
    }
    const next = body[i + 1] ?? "";
    bytes.push(...Buffer.from(ESCAPES[next] ?? next, "utf8"));
    i += 1;
  }
  return Buffer.from(bytes).toString("utf8");
}
