/**
 * Intake and planning of a large pull request: 2,000 changed files and 200,000 changed lines,
 * generated as the files API would return them, reviewed with the default config. Times reading
 * the API's JSON, filtering, parsing every hunk and packing the chunks, then planning the review
 * (chunks per pass, every chunk's request rendered and priced, fitted to the default budget), and
 * prints the files the review reads of the total, the passes, and the estimated cost against the
 * budget. Run with `npm run bench:review`; target: intake and planning ≤ 2 s.
 */
import { DEFAULT_CEILINGS, spendLimits } from "../src/agent/budget.js";
import { defaultRepoConfig } from "../src/config/repo-config-schema.js";
import { formatUsd } from "../src/core/format.js";
import { costMicros } from "../src/integrations/anthropic/prices.js";
import { planChunks } from "../src/review/chunk.js";
import { fileCoverage } from "../src/review/coverage.js";
import { FileLines, parsePatch } from "../src/review/diff.js";
import { type ChangedFile, fileClassifier } from "../src/review/files.js";
import { type ReviewPlan, planReview } from "../src/review/review-plan.js";

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
const limits = spendLimits(config.budgets, DEFAULT_CEILINGS);
const json = generate();
console.log(`generated pull request: ${FILES} files, ${CHANGED_LINES.toLocaleString("en")} changed lines, ${(json.length / 1024 / 1024).toFixed(1)} MB of files-API JSON`);
console.log(`default config: review.full_files ${config.review.full_files} with ${config.models.review}, the rest with ${config.models.review_tail}; review.max_files ${config.review.max_files ?? "absent"}; budget ${formatUsd(limits.perRunMicros)}`);

interface Row {
  chunkMs: number;
  planMs: number;
  chunks: number;
  tokens: number[];
  share: number;
  skipped: number;
  plan: ReviewPlan;
  reviewed: number;
  reviewable: number;
}
const rows: Row[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const started = performance.now();
  const files = (JSON.parse(json) as { filename: string; status: string; additions: number; deletions: number; patch?: string }[]).map(
    (f): ChangedFile => ({ path: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, ...(f.patch ? { patch: f.patch } : {}) }),
  );
  const classify = fileClassifier({ paths: [], ignorePaths: [], skipGenerated: config.review.skip_generated });
  const reviewable = files.flatMap((f) => (f.patch && classify(f).review ? [{ ...f, patch: f.patch }] : []));
  const packed = planChunks(reviewable, { budget: config.review.chunk_tokens, maxFiles: config.review.max_files });
  const lines = new Map<string, FileLines>();
  for (const chunk of packed.chunks) for (const file of chunk.files) lines.set(file.path, new FileLines(file.hunks));
  const chunkMs = performance.now() - started;

  const planning = performance.now();
  const plan = await planReview(reviewable, {
    chunkTokens: config.review.chunk_tokens,
    maxFiles: config.review.max_files,
    fullFiles: config.review.full_files,
    models: { full: config.models.review, tail: config.models.review_tail },
    maxTokens: config.models.max_tokens,
    context: { title: "A large change", body: "", bodyWithheld: false, instructions: "" },
    provider: { price: costMicros },
    measure: () => Promise.resolve(undefined),
    budget: { limitMicros: limits.perRunMicros, spentMicros: 0, describe: `the run's budget of ${formatUsd(limits.perRunMicros)} (budgets.usd_per_run)` },
  });
  const planMs = performance.now() - planning;
  const covered = fileCoverage(reviewable, plan.chunks.slice(0, plan.covered), plan.chunks.slice(plan.covered).map(({ chunk }) => ({ chunk, reason: "over budget" })));
  const assigned = new Set(packed.chunks.flatMap((c) => c.files.map((f) => f.path)));
  rows.push({
    chunkMs,
    planMs,
    chunks: plan.chunks.length,
    tokens: plan.chunks.map((c) => c.chunk.tokens).sort((a, b) => a - b),
    share: assigned.size / reviewable.length,
    skipped: files.length - reviewable.length,
    plan,
    reviewed: covered.reviewed.length,
    reviewable: reviewable.length,
  });
  if (round === 0) parsePatch(reviewable[0]!.patch); // warm
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const last = rows.at(-1)!;
console.log("round   intake+chunking   planning+pricing   chunks   tokens/chunk (min / median / max)   chunked");
rows.forEach((row, i) =>
  console.log(
    `${String(i + 1).padEnd(8)}${`${row.chunkMs.toFixed(0)} ms`.padStart(15)}${`${row.planMs.toFixed(0)} ms`.padStart(19)}${String(row.chunks).padStart(9)}   ${`${row.tokens[0]} / ${median(row.tokens)} / ${row.tokens.at(-1)}`.padEnd(34)}${(row.share * 100).toFixed(1)}%`,
  ),
);
console.log(`median intake+chunking: ${median(rows.map((r) => r.chunkMs)).toFixed(0)} ms, planning+pricing: ${median(rows.map((r) => r.planMs)).toFixed(0)} ms (target together ≤ 2000 ms); ${last.skipped} files left out as generated; chunk budget ${config.review.chunk_tokens} tokens`);
const { plan } = last;
const passes = (["full", "tail"] as const).map((pass) => {
  const chunks = plan.chunks.slice(0, plan.covered).filter((c) => c.pass === pass);
  const files = new Set(chunks.flatMap((c) => c.chunk.files.map((f) => f.path)));
  return `${pass} ${plan.models[pass]}: ${chunks.length} chunks, ${files.size} files, ${formatUsd(chunks.reduce((sum, c) => sum + c.estimateMicros, 0))}`;
});
console.log(`files reviewed: ${last.reviewed} of ${FILES} changed (${last.reviewable} reviewable, ${((last.reviewed / last.reviewable) * 100).toFixed(1)}%); over budget: ${last.reviewable - last.reviewed}; over review.max_files: ${plan.overCap.length}`);
console.log(`passes: ${passes.join("; ")}`);
console.log(`estimated cost: ${formatUsd(plan.estimateMicros)} of the ${formatUsd(plan.budget.limitMicros)} budget; every file: ${formatUsd(plan.wholeEstimateMicros)}`);
