import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Budget, BudgetExceeded, type LedgerStore } from "../../src/agent/budget.js";
import { runLoop } from "../../src/agent/loop.js";
import { AnthropicClient } from "../../src/integrations/anthropic/client.js";
import { PathPolicy } from "../../src/workspace/paths.js";
import { costMicros } from "../../src/integrations/anthropic/prices.js";
import { ToolSet } from "../../src/agent/tools/index.js";
import { memoryBudgetCounters } from "../../src/store/memory-budget.js";
import { type UsageEntry, emptyTotals } from "../../src/store/types.js";
import { type FakeAnthropic, type ScriptedMessage, startFakeAnthropic } from "../helpers/fake-anthropic.js";

const MODEL = "claude-sonnet-5-5";

/** A ledger in memory with the Store's semantics for what spending uses. */
function ledger(monthSpent = 0) {
  const entries: UsageEntry[] = [];
  let runCost = 0;
  const store: LedgerStore = {
    ...memoryBudgetCounters(),
    getRun: () => Promise.resolve(null),
    addUsage: (entry) => {
      entries.push(entry);
      return Promise.resolve();
    },
    updateRun: (_id, patch) => {
      runCost = patch.costMicros ?? runCost;
      return Promise.resolve(null);
    },
    usageForMonth: () => Promise.resolve({ ...emptyTotals(), costMicros: monthSpent + entries.reduce((sum, e) => sum + e.costMicros, 0) }),
  };
  return { store, entries, runCost: () => runCost };
}

const view = (file: string): ScriptedMessage => ({ content: [{ type: "tool_use", name: "str_replace_based_edit_tool", input: { command: "view", path: file } }] });
const finish = (summary: string): ScriptedMessage => ({ content: [{ type: "text", text: "All done." }, { type: "tool_use", name: "finish", input: { summary } }] });

describe("the tool loop", () => {
  let root: string;
  let fake: FakeAnthropic;
  let tools: ToolSet;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "ai-agent-loop-"));
    await writeFile(path.join(root, "a.txt"), "alpha\n");
    execFileSync("git", ["init", "-q"], { cwd: root });
    tools = new ToolSet({ policy: new PathPolicy(root, { protectedPaths: [], allowProtected: false }) });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));
  afterEach(async () => fake?.close());

  const loop = async (overrides: Partial<Parameters<typeof runLoop>[0]> = {}, spent = ledger()) =>
    runLoop({
      provider: new AnthropicClient({ apiKey: "sk-ant-test", baseURL: fake.url, maxRetries: 0 }),
      model: MODEL,
      maxTokens: 1000,
      maxTurns: 30,
      system: "You are a test agent.",
      context: "Repository context: a.txt holds alpha.",
      task: "Read a.txt and finish.",
      tools,
      budget: new Budget({ store: spent.store, repo: "acme/widgets", runId: "run-1", perRunMicros: 5_000_000, perRepoMonthMicros: 200_000_000, spentMicros: 0 }),
      ...overrides,
    });

  it("repeats each request byte for byte up to its last cache breakpoint over 20 turns", async () => {
    fake = await startFakeAnthropic([...Array.from({ length: 19 }, () => view("a.txt")), finish("Read it 19 times.")]);
    const result = await loop();
    expect(result).toMatchObject({ finished: true, summary: "Read it 19 times.", turns: 20 });
    const bodies = fake.requests.map((r) => r.raw);
    expect(bodies).toHaveLength(20);
    for (const [index, body] of bodies.entries()) {
      const parsed = JSON.parse(body) as { system: { cache_control?: unknown }[]; tools: { cache_control?: unknown }[]; messages: { content: { cache_control?: unknown }[] }[] };
      // System prompt, tool definitions and repository context are cached, plus one moving breakpoint: four in all.
      expect(body.split('"cache_control"').length - 1).toBe(4);
      expect(parsed.system[0]?.cache_control).toEqual({ type: "ephemeral" });
      expect(parsed.tools.at(-1)?.cache_control).toEqual({ type: "ephemeral" });
      expect(parsed.messages[0]?.content[0]?.cache_control).toEqual({ type: "ephemeral" });
      expect(parsed.messages.at(-1)?.content.at(-1)?.cache_control).toEqual({ type: "ephemeral" });
      if (index === 0) continue;
      const previous = bodies[index - 1]!;
      const lastBreakpoint = previous.lastIndexOf(',"cache_control"');
      expect(lastBreakpoint).toBeGreaterThan(0);
      expect(body.slice(0, lastBreakpoint)).toBe(previous.slice(0, lastBreakpoint));
    }
  });

  it("records every response's usage in the ledger, priced by the model's table", async () => {
    const usage = { input_tokens: 1200, output_tokens: 300, cache_creation_input_tokens: 5000, cache_read_input_tokens: 40_000 };
    fake = await startFakeAnthropic([{ ...view("a.txt"), usage }, { ...finish("ok"), usage }]);
    const spent = ledger();
    await loop({}, spent);
    const each = costMicros(MODEL, { inputTokens: 1200, outputTokens: 300, cacheWriteTokens: 5000, cacheReadTokens: 40_000 });
    expect(each).toBe(1200 * 3 + 300 * 15 + 5000 * 3.75 + 40_000 * 0.3);
    expect(spent.entries).toEqual([
      { runId: "run-1", repo: "acme/widgets", model: MODEL, inputTokens: 1200, outputTokens: 300, cacheWriteTokens: 5000, cacheReadTokens: 40_000, costMicros: each },
      { runId: "run-1", repo: "acme/widgets", model: MODEL, inputTokens: 1200, outputTokens: 300, cacheWriteTokens: 5000, cacheReadTokens: 40_000, costMicros: each },
    ]);
    expect(spent.runCost()).toBe(2 * each);
  });

  it("stops before a call that could pass the run's budget, with the figures", async () => {
    fake = await startFakeAnthropic([{ ...view("a.txt"), usage: { input_tokens: 100_000, output_tokens: 10_000 } }, finish("never")]);
    const spent = ledger();
    const run = loop({ maxTokens: 16_000, budget: new Budget({ store: spent.store, repo: "acme/widgets", runId: "run-1", perRunMicros: 600_000, perRepoMonthMicros: 200_000_000, spentMicros: 0 }) }, spent);
    await expect(run).rejects.toBeInstanceOf(BudgetExceeded);
    await expect(run).rejects.toThrow(/^Stopped before going over the run's budget of \$0\.60 \(budgets\.usd_per_run\): \$0\.45 spent, and the next model call could cost up to \$0\.\d\d\.$/);
    expect(fake.requests).toHaveLength(1);
  });

  it("stops before a call that could pass the repository's monthly budget", async () => {
    fake = await startFakeAnthropic([finish("never")]);
    const spent = ledger(199_990_000);
    await expect(loop({}, spent)).rejects.toThrow(/repository's budget of \$200\.00 for \d{4}-\d\d \(budgets\.usd_per_repo_month\): \$199\.99 spent this month/);
    expect(fake.requests).toHaveLength(0);
  });

  it("continues after max_tokens, dropping a cut-off tool call", async () => {
    fake = await startFakeAnthropic([
      { content: [{ type: "text", text: "Let me look" }, { type: "tool_use", name: "str_replace_based_edit_tool", input: { command: "view" } }], stop_reason: "max_tokens" },
      finish("continued"),
    ]);
    expect(await loop()).toMatchObject({ finished: true, summary: "continued" });
    const second = JSON.parse(fake.requests[1]!.raw) as { messages: { role: string; content: { type: string; text?: string }[] }[] };
    expect(second.messages.at(-2)).toEqual({ role: "assistant", content: [{ type: "text", text: "Let me look" }] });
    expect(second.messages.at(-1)?.content[0]?.text).toContain("reached the output limit");
  });

  it("sends a pause_turn response back as it came", async () => {
    fake = await startFakeAnthropic([{ content: [{ type: "text", text: "Thinking about it…" }], stop_reason: "pause_turn" }, finish("resumed")]);
    expect(await loop()).toMatchObject({ finished: true, summary: "resumed" });
    const second = JSON.parse(fake.requests[1]!.raw) as { messages: { role: string; content: unknown }[] };
    expect(second.messages.at(-1)).toEqual({ role: "assistant", content: [{ type: "text", text: "Thinking about it…", cache_control: { type: "ephemeral" } }] });
  });

  it("reports a refusal", async () => {
    fake = await startFakeAnthropic([{ content: [{ type: "text", text: "I can't help with that." }], stop_reason: "refusal" }]);
    await expect(loop()).rejects.toThrow("The model declined to continue with this task: I can't help with that.");
  });

  it("drops older tool output when the context window is exceeded, and goes on", async () => {
    fake = await startFakeAnthropic([view("a.txt"), view("a.txt"), view("a.txt"), view("a.txt"), { content: [{ type: "text", text: "…" }], stop_reason: "model_context_window_exceeded" }, finish("compacted")]);
    expect(await loop()).toMatchObject({ finished: true, summary: "compacted" });
    const retried = fake.requests[5]!.raw;
    expect(retried.match(/\[output removed to save context\]/g)).toHaveLength(2);
    expect(retried.match(/alpha/g)).toHaveLength(2 + 1); // the two newest results, and the context
  });
});
