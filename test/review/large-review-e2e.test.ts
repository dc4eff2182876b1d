import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { PullRequestOpenedEvent } from "@octokit/webhooks-types";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { formatUsd } from "../../src/core/format.js";
import { costMicros } from "../../src/integrations/anthropic/prices.js";
import { reviewTasks } from "../helpers/review-tasks.js";
import { type TestApp, WEBHOOK_SECRET, eventually, startTestApp } from "../helpers/app-server.js";
import { type FakeAnthropic, type RecordedRequest, type ScriptedMessage, startFakeAnthropic } from "../helpers/fake-anthropic.js";
import { type FakeGitHub, fakeGitHub } from "../helpers/fake-github.js";
import { deliver, examplePayload } from "../helpers/webhooks.js";

/**
 * A pull request of 400 changed files, reviewed end to end: real webhooks into the app, the
 * review's requests answered by a fake Anthropic API, and the check run GitHub is sent read back.
 * By default every file is in some model request (the least relevant ones with the lighter pass's
 * model); a budget that cannot cover them all gives a partial review whose check names the files
 * not read and why, and nothing is spent past the budget.
 */

const REPO = "Codertocat/Hello-World";
const FILES = 400;
const FULL_MODEL = "claude-sonnet-5-5";
const TAIL_MODEL = "claude-haiku-5";

// Every file the same size and kind: the review's relevance order is then its path order.
const paths = Array.from({ length: FILES }, (_, i) => `src/module-${String(i).padStart(3, "0")}.ts`);
const files = paths.map((filename, i) => ({
  filename,
  status: "modified",
  additions: 1,
  deletions: 0,
  changes: 1,
  patch: `@@ -1,1 +1,2 @@\n export const base${i} = ${i};\n+export const next${i} = base${i} + 1;`,
}));

const noFindings: ScriptedMessage = { content: [{ type: "tool_use", name: "report_findings", input: { overview: "Adds constants.", findings: [] } }] };

/** The user message a review request carries: the diff, among the pull request's text. */
const promptOf = (request: RecordedRequest) => ((request.body.messages as { content: string }[])[0]!.content);
/** The files of a review request, by the `--- path` line that opens each in the diff. */
const filesIn = (request: RecordedRequest) => [...promptOf(request).matchAll(/^--- (\S+)/gm)].map((match) => match[1]!);

interface CheckBody {
  status?: string;
  conclusion?: string;
  output?: { title: string; summary: string; text?: string };
}

describe("reviewing a large pull request, end to end", () => {
  let app: TestApp;
  let github: FakeGitHub;
  let anthropic: FakeAnthropic;
  let dir: string;
  /** What the fake model answers to every request of a test. */
  let answer: (request: RecordedRequest) => ScriptedMessage = () => noFindings;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ai-agent-large-review-"));
    anthropic = await startFakeAnthropic([], { fallback: (request) => answer(request) });
    app = await startTestApp((store) => reviewTasks(store, { anthropicUrl: anthropic.url, remote: dir }));
  });
  afterAll(async () => {
    await app.close();
    await anthropic.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    github = fakeGitHub();
    github.permissions.set("Codertocat", "write");
    anthropic.requests.length = 0;
    answer = () => noFindings;
  });
  afterEach(() => github.done());

  const review = async (number: number, config?: string) => {
    if (config) for (const branch of ["main", "master"]) github.configFiles.set(branch, config);
    github.pulls.set(number, { head: "a".repeat(40), base: "main" });
    github.pullFiles.set(number, files);
    const payload = examplePayload<PullRequestOpenedEvent>("pull_request", "opened");
    payload.number = number;
    payload.pull_request.number = number;
    payload.pull_request.draft = false;
    await deliver(app.webhookUrl, "pull_request", payload, WEBHOOK_SECRET);
    const [run] = await eventually(async () => {
      const runs = (await app.database.store.listRuns({ repo: REPO, number })).filter((r) => r.task === "review");
      return runs.length > 0 && runs.every((r) => r.status !== "queued" && r.status !== "running") ? runs : undefined;
    }, 60_000);
    const checks = github.requests.filter((r) => r.method === "PATCH" && r.path.includes("/check-runs/")).map((r) => r.body as CheckBody);
    const planned = checks.find((c) => c.status === "in_progress" && c.output)!.output!;
    const done = checks.find((c) => c.status === "completed")!;
    return { run: run!, planned, done, shown: `${done.output!.summary}\n${done.output!.text ?? ""}` };
  };

  it("reviews every file by default, the least relevant in the lighter pass, and shows the estimate the requests add up to", async () => {
    const { run, planned, done, shown } = await review(1);
    expect([run.status, run.error]).toEqual(["succeeded", undefined]);

    const byModel = new Map<string, Set<string>>();
    for (const request of anthropic.requests) {
      const model = String(request.body.model);
      for (const file of filesIn(request)) byModel.set(model, new Set([...(byModel.get(model) ?? []), file]));
    }
    // The first 300 (review.full_files) in full, the other 100 with the cheaper model; none left out.
    expect([...(byModel.get(FULL_MODEL) ?? [])].sort()).toEqual(paths.slice(0, 300));
    expect([...(byModel.get(TAIL_MODEL) ?? [])].sort()).toEqual(paths.slice(300));
    expect([...byModel.keys()].sort()).toEqual([TAIL_MODEL, FULL_MODEL]);
    expect(promptOf(anthropic.requests.find((r) => r.body.model === TAIL_MODEL)!)).toContain("report only high and critical findings");
    expect(promptOf(anthropic.requests.find((r) => r.body.model === FULL_MODEL)!)).not.toContain("lighter pass");

    expect(done.conclusion).toBe("success");
    expect(done.output!.title).toBe("No findings");
    expect(shown).toContain(`Reviewed ${FILES} files of ${FILES} changed`);
    expect(shown).toContain(`Passes: 300 files in full with ${FULL_MODEL} (models.review); 100 files in the lighter pass with ${TAIL_MODEL} (models.review_tail).`);
    expect(shown).not.toContain("Partial review");
    expect(shown).not.toContain("**Not reviewed**");

    // The estimate before the first call is the requests as sent, priced: each prompt by the
    // token estimate (3.5 characters a token), each answer at 2,000 tokens.
    const tokens = (text: string) => Math.ceil(text.length / 3.5);
    const priced = anthropic.requests.reduce((sum, request) => {
      const system = (request.body.system as { text: string }[]).map((block) => block.text).join("\n");
      const inputTokens = tokens(system) + tokens(JSON.stringify(request.body.tools)) + tokens(promptOf(request));
      return sum + costMicros(String(request.body.model), { inputTokens, outputTokens: 2_000, cacheWriteTokens: 0, cacheReadTokens: 0 });
    }, 0);
    expect(planned.title).toBe(`Reviewing ${FILES} files`);
    expect(planned.summary).toContain(`Estimated cost: ${formatUsd(priced)} of the run's budget of $5.00 (budgets.usd_per_run).`);
    expect(shown).toContain(`Estimated cost: ${formatUsd(priced)} of the run's budget`);
  });

  it("reviews as far as a tight budget allows, names every file it did not read and why, and says the review is partial", async () => {
    const config = ["version: 1", "budgets:", "  usd_per_run: 0.02", "models:", "  max_tokens: 1000", "review:", "  chunk_tokens: 2000", "  parallel_chunks: 1"].join("\n");
    const { run, planned, done, shown } = await review(2, config);
    expect([run.status, run.error]).toEqual(["succeeded", undefined]);
    // Never past the budget.
    expect(run.costMicros).toBeGreaterThan(0);
    expect(run.costMicros).toBeLessThanOrEqual(20_000);

    const read = new Set(anthropic.requests.flatMap(filesIn));
    const unread = paths.filter((p) => !read.has(p));
    expect(read.size).toBeGreaterThan(0);
    expect(unread.length).toBeGreaterThan(0);
    // Relevance order: what was read comes before what was not.
    expect(paths.slice(0, read.size).every((p) => read.has(p))).toBe(true);

    expect(done.conclusion).toBe("neutral");
    expect(done.output!.title).toBe(`Partial review: ${read.size} of ${FILES} files, no findings`);
    // The estimate said up front that the budget would not cover every file.
    expect(planned.title).toMatch(new RegExp(`^Reviewing ${FILES} files; the estimate covers \\d+ files$`));
    expect(planned.summary).toContain("**Partial review expected:**");
    // The answers cost less than estimated: chunks past the estimate were read while the budget let them.
    expect(read.size).toBeGreaterThan(Number(/covers (\d+) files/.exec(planned.title)![1]));
    const reason = "**Not reviewed** — over budget: the run's budget of $0.02 (budgets.usd_per_run) would be exceeded:";
    const listed = shown.split("\n");
    const start = listed.indexOf(reason);
    expect(start).toBeGreaterThan(0);
    const named = listed.slice(start + 1, listed.indexOf("", start)).map((line) => /^- `(.+)`$/.exec(line)?.[1]);
    expect(named).toEqual(unread);
    expect(shown).toContain(`**Partial review:** ${unread.length} files of the ${FILES} to review were not read`);
    // The summary comment says so too.
    const summary = (github.requests.find((r) => r.method === "POST" && r.path.endsWith("/issues/2/comments"))!.body as { body: string }).body;
    expect(summary).toContain(`- \`${unread[0]}\` — over budget: the run's budget of $0.02 (budgets.usd_per_run) would be exceeded`);
  });

  it("fails on the budget, as any step does, when not one chunk can be read within it", async () => {
    const config = ["version: 1", "budgets:", "  usd_per_run: 0.001", "review:", "  chunk_tokens: 2000"].join("\n");
    const { run, done } = await review(4, config);
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/^Stopped before going over the run's budget of \$0\.001 \(budgets\.usd_per_run\)/);
    expect(anthropic.requests).toHaveLength(0);
    expect([done.conclusion, done.output!.title]).toEqual(["cancelled", "Review did not finish"]);
  });

  it("stops at the call the budget refuses when the answers cost more than estimated, and names the files left", async () => {
    // Every answer runs to max_tokens, four times the estimate's allowance: the plan covers the
    // whole, and the budget stops the calls where the answers' real cost reaches it.
    answer = () => ({ ...noFindings, usage: { output_tokens: 8_000 } });
    const config = ["version: 1", "budgets:", "  usd_per_run: 0.20", "models:", "  max_tokens: 8000", "review:", "  chunk_tokens: 2000", "  parallel_chunks: 2"].join("\n");
    const { run, planned, done, shown } = await review(3, config);
    expect([run.status, run.error]).toEqual(["succeeded", undefined]);
    expect(planned.summary).not.toContain("Partial review");
    expect(run.costMicros).toBeLessThanOrEqual(200_000);

    const read = new Set(anthropic.requests.flatMap(filesIn));
    const unread = paths.filter((p) => !read.has(p));
    expect(unread.length).toBeGreaterThan(0);
    expect(done.conclusion).toBe("neutral");
    expect(done.output!.title).toMatch(new RegExp(`^Partial review: ${read.size} of ${FILES} files`));
    const listed = shown.split("\n");
    const start = listed.findIndex((line) => line.startsWith("**Not reviewed** — over budget: the run's budget of $0.20 (budgets.usd_per_run) would be exceeded"));
    expect(start).toBeGreaterThan(0);
    const named = listed.slice(start + 1, listed.indexOf("", start)).map((line) => /^- `(.+)`$/.exec(line)?.[1]);
    expect(new Set(named)).toEqual(new Set(unread));
  });
});
