/**
 * Intake and chunking of a large pull request: 2,000 changed files and 200,000 changed lines,
 * generated as the files API would return them. Times reading the API's JSON, filtering, parsing
 * every hunk and packing the chunks, and prints the number of chunks, tokens per chunk, and the
 * share of reviewable files assigned to a chunk (which must be 100%). Run with
 * `npm run bench:review`; target: intake and chunking ≤ 2 s.
 */
import { defaultRepoConfig } from "../src/config/repo-config-schema.js";
import { planChunks } from "../src/review/chunk.js";
import { FileLines, parsePatch } from "../src/review/diff.js";
import { type ChangedFile, fileClassifier } from "../src/review/files.js";

const FILES = 2_000;
const CHANGED_LINES = 200_000;
const ROUNDS = 5;

/** The files API's JSON for a generated pull request; one file in 50 is a lockfile or bundle. */
function generate(): string {
  const perFile = CHANGED_LINES / FILES;
  const files = Array.from({ length: FILES }, (_, f) => {
    const dir = ["src", "lib", "test", "docs", "config"][f % 5];
    const name = f % 50 === 0 ? `${dir}/vendor-${f}.min.js` : `${dir}/module${f}/file${f}.${f % 5 === 3 ? "md" : "ts"}`;
    const hunks: string[] = [];
    let added = 0;
    let deleted = 0;
    for (let h = 0; added + deleted < perFile; h++) {
      const start = 1 + h * 40;
      const body: string[] = [];
      for (let i = 0; i < 10 && added + deleted < perFile; i++) {
        if (i % 3 === 0) {
          body.push(`-  const old${h}_${i} = compute(${i}, "before");`);
          deleted++;
        } else {
          body.push(`+  const value${h}_${i} = compute(${i}, "after", options.flag${i});`);
          added++;
        }
      }
      const removed = body.filter((l) => l.startsWith("-")).length;
      const inserted = body.length - removed;
      hunks.push([`@@ -${start},${removed + 2} +${start},${inserted + 2} @@ function block${h}()`, ` // block ${h}`, ...body, " }"].join("\n"));
    }
    return { sha: "0".repeat(40), filename: name, status: "modified", additions: added, deletions: deleted, changes: added + deleted, patch: hunks.join("\n") };
  });
  return JSON.stringify(files);
}

const config = defaultRepoConfig();
const json = generate();
console.log(`generated pull request: ${FILES} files, ${CHANGED_LINES.toLocaleString("en")} changed lines, ${(json.length / 1024 / 1024).toFixed(1)} MB of files-API JSON`);
const rows: { ms: number; chunks: number; tokens: number[]; share: number; skipped: number }[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const started = performance.now();
  const files = (JSON.parse(json) as { filename: string; status: string; additions: number; deletions: number; patch?: string }[]).map(
    (f): ChangedFile => ({ path: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, ...(f.patch ? { patch: f.patch } : {}) }),
  );
  const classify = fileClassifier({ paths: [], ignorePaths: [], skipGenerated: config.review.skip_generated });
  const reviewable = files.flatMap((f) => (f.patch && classify(f).review ? [{ ...f, patch: f.patch }] : []));
  // Max files raised to the whole pull request: the benchmark measures packing all of it.
  const plan = planChunks(reviewable, { budget: config.review.chunk_tokens, maxFiles: FILES });
  const lines = new Map<string, FileLines>();
  for (const chunk of plan.chunks) for (const file of chunk.files) lines.set(file.path, new FileLines(file.hunks));
  const ms = performance.now() - started;
  const assigned = new Set(plan.chunks.flatMap((c) => c.files.map((f) => f.path)));
  rows.push({ ms, chunks: plan.chunks.length, tokens: plan.chunks.map((c) => c.tokens).sort((a, b) => a - b), share: assigned.size / reviewable.length, skipped: files.length - reviewable.length });
  if (round === 0) parsePatch(reviewable[0]!.patch); // warm
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const last = rows.at(-1)!;
console.log("round   intake+chunking   chunks   tokens/chunk (min / median / max)   assigned");
rows.forEach((row, i) =>
  console.log(
    `${String(i + 1).padEnd(8)}${`${row.ms.toFixed(0)} ms`.padStart(15)}${String(row.chunks).padStart(9)}   ${`${row.tokens[0]} / ${median(row.tokens)} / ${row.tokens.at(-1)}`.padEnd(34)}${(row.share * 100).toFixed(1)}%`,
  ),
);
console.log(`median intake+chunking: ${median(rows.map((r) => r.ms)).toFixed(0)} ms (target ≤ 2000 ms); ${last.skipped} files left out as generated; chunk budget ${config.review.chunk_tokens} tokens`);
