import { describe, expect, it } from "vitest";
import { Budget } from "../../src/agent/budget.js";
import { costMicros } from "../../src/integrations/anthropic/prices.js";
import { packChunks } from "../../src/review/chunk.js";
import { coverageTitle, fileCoverage, renderCoverage } from "../../src/review/coverage.js";
import { type PlanOptions, callsWithin, planReview } from "../../src/review/review-plan.js";

const patchOf = (lines: number, seed: number) =>
  [`@@ -1,0 +1,${lines} @@`, ...Array.from({ length: lines }, (_, i) => `+export const value${seed}_${i} = compute(${i}, "a longer line of code");`)].join("\n");
const file = (path: string, lines: number, seed = 0) => ({ path, patch: patchOf(lines, seed), additions: lines, deletions: 0 });
const files = Array.from({ length: 60 }, (_, i) => file(`src/m${String(i).padStart(2, "0")}.ts`, 40, i));

const options = (overrides: Partial<PlanOptions> = {}): PlanOptions => ({
  chunkTokens: 4_000,
  maxFiles: undefined,
  fullFiles: 30,
  models: { full: "claude-sonnet-5-5", tail: "claude-haiku-5" },
  maxTokens: 4_000,
  context: { title: "Many modules", body: "", bodyWithheld: false, instructions: "" },
  provider: { price: costMicros },
  measure: () => Promise.resolve(undefined),
  budget: { limitMicros: 5_000_000, spentMicros: 0, describe: "the run's budget of $5.00 (budgets.usd_per_run)" },
  ...overrides,
});
const passOf = (plan: Awaited<ReturnType<typeof planReview>>) => new Map(plan.chunks.flatMap((c) => c.chunk.files.map((f) => [f.path, c.pass] as const)));

describe("callsWithin", () => {
  it("lets a call through only when its worst case fits beside the estimates before it", () => {
    const calls = [
      { estimateMicros: 40, worstMicros: 100 },
      { estimateMicros: 40, worstMicros: 100 },
      { estimateMicros: 40, worstMicros: 100 },
    ];
    expect(callsWithin(calls, 180)).toBe(3);
    expect(callsWithin(calls, 179)).toBe(2);
    expect(callsWithin(calls, 139)).toBe(1);
    expect(callsWithin(calls, 99)).toBe(0);
    expect(callsWithin(calls, 1_000)).toBe(3);
  });
});

describe("planReview", () => {
  it("reads the most relevant review.full_files files in full and the others in the lighter pass, every one of them", async () => {
    const plan = await planReview(files, options());
    expect(plan.covered).toBe(plan.chunks.length);
    const passes = passOf(plan);
    expect(passes.size).toBe(60);
    expect(files.slice(0, 30).every((f) => passes.get(f.path) === "full")).toBe(true);
    expect(files.slice(30).every((f) => passes.get(f.path) === "tail")).toBe(true);
    expect(new Set(plan.chunks.map((c) => `${c.pass}:${c.request.model}`))).toEqual(new Set(["full:claude-sonnet-5-5", "tail:claude-haiku-5"]));
    expect(plan.estimateMicros).toBe(plan.wholeEstimateMicros);
    expect(plan.estimateMicros).toBe(plan.chunks.reduce((sum, c) => sum + c.estimateMicros, 0));
  });

  it("leaves out the files past an explicit review.max_files, least relevant first", async () => {
    const plan = await planReview([file("docs/guide.md", 5), ...files.slice(0, 4)], options({ maxFiles: 3 }));
    expect(plan.overCap).toEqual(["src/m03.ts", "docs/guide.md"]);
    expect(passOf(plan).size).toBe(3);
  });

  it("moves chunks of the full pass to the lighter one, least relevant first, when that lets the budget cover the whole", async () => {
    const roomy = await planReview(files, options());
    const allLight = await planReview(files, options({ fullFiles: 0 }));
    // Between what every file read lightly and the default arrangement cost: only a mix fits.
    const limit = Math.floor((allLight.wholeEstimateMicros + roomy.wholeEstimateMicros) / 2);
    const plan = await planReview(files, options({ budget: { limitMicros: limit, spentMicros: 0, describe: "the run's budget" } }));
    expect(plan.covered).toBe(plan.chunks.length);
    expect(plan.estimateMicros).toBeLessThanOrEqual(limit);
    const passes = plan.chunks.map((c) => c.pass);
    const firstLight = passes.indexOf("tail");
    expect(firstLight).toBeGreaterThan(0);
    expect(firstLight).toBeLessThan(roomy.chunks.filter((c) => c.pass === "full").length);
    expect(passes.slice(firstLight).every((p) => p === "tail")).toBe(true);
  });

  it("covers, when nothing fits the whole, as much as the budget holds in relevance order, and no chunk it would refuse", async () => {
    const light = await planReview(files, options({ fullFiles: 0 }));
    const limit = Math.floor(light.wholeEstimateMicros / 3);
    const plan = await planReview(files, options({ budget: { limitMicros: limit + 1_000, spentMicros: 1_000, describe: "the run's budget" } }));
    expect(plan.covered).toBeGreaterThan(0);
    expect(plan.covered).toBeLessThan(plan.chunks.length);
    expect(plan.chunks.every((c) => c.pass === "tail")).toBe(true);
    expect(plan.estimateMicros).toBe(plan.chunks.slice(0, plan.covered).reduce((sum, c) => sum + c.estimateMicros, 0));
    // The next chunk is the one the budget would refuse: its worst case does not fit beside the rest.
    const next = plan.chunks[plan.covered]!.request;
    const worst = Budget.worstCase({ price: costMicros }, next.model, JSON.stringify(next).length, next.max_tokens);
    expect(plan.estimateMicros + worst).toBeGreaterThan(limit);
  });
});

describe("the coverage a check shows", () => {
  it("names every file not read of a 2,000-file pull request, in the summary and the text after it", () => {
    const many = Array.from({ length: 2_000 }, (_, i) => ({ path: `packages/service-${i}/src/handlers/request-${i}.ts`, additions: 3, deletions: 1 }));
    const reason = "over budget: the run's budget of $5.00 (budgets.usd_per_run) would be exceeded";
    const coverage = {
      head: "f".repeat(40),
      reviewed: many.slice(0, 300).map((f) => ({ ...f, pass: "full" as const })),
      skipped: [],
      missed: many.slice(300).map((f) => ({ path: f.path, reason })),
    };
    const shown = renderCoverage(coverage);
    expect(shown.summary.length).toBeLessThanOrEqual(65_535);
    expect(shown.text!.length).toBeLessThanOrEqual(65_535);
    const all = `${shown.summary}\n${shown.text}`;
    for (const { path } of coverage.missed) expect(all).toContain(`- \`${path}\`\n`);
    expect(shown.summary).toContain(`**Not reviewed** — ${reason}:`);
    expect(coverageTitle(coverage, "No findings")).toBe("Partial review: 300 of 2,000 files, no findings");
  });

  it("counts a file split between chunks as not reviewed when a part of it was not read", () => {
    // Twelve hunks of 40 lines: more than a chunk of 2,000 tokens holds, so split between its hunks.
    const hunks = Array.from({ length: 12 }, (_, h) => patchOf(40, h).replace("@@ -1,0 +1,40 @@", `@@ -${1 + h * 50},0 +${1 + h * 50},40 @@`));
    const big = { path: "src/big.ts", patch: hunks.join("\n"), additions: 480, deletions: 0 };
    const chunks = packChunks([big, file("src/small.ts", 2)], { budget: 2_000 });
    const parts = chunks.flatMap((c) => c.files).filter((f) => f.path === "src/big.ts");
    expect(parts.length).toBeGreaterThan(2);
    const [first, ...rest] = chunks;
    const result = fileCoverage([big, file("src/small.ts", 2)], [{ chunk: first!, pass: "full" }], rest.map((chunk) => ({ chunk, reason: "over budget" })));
    expect(result.reviewed).toEqual([]);
    expect(result.missed).toEqual([
      { path: "src/big.ts", reason: `over budget (1 of its ${parts.length} parts were read)` },
      { path: "src/small.ts", reason: "over budget" },
    ]);
  });
});
