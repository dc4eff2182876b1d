import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelAccess } from "../../src/agent/model-access.js";
import { defaultRepoConfig } from "../../src/config/repo-config.js";
import { AnthropicClient } from "../../src/integrations/anthropic/client.js";
import { costMicros } from "../../src/integrations/anthropic/prices.js";
import { AppMetrics } from "../../src/web/metrics.js";
import { type FakeAnthropic, startFakeAnthropic } from "../helpers/fake-anthropic.js";
import { forgetfulLedger } from "../helpers/ledger.js";
import { parseExposition } from "../helpers/metrics-text.js";

const MODEL = "claude-sonnet-5-5";

describe("model usage in the metrics", () => {
  let anthropic: FakeAnthropic;
  beforeAll(async () => {
    anthropic = await startFakeAnthropic();
  });
  afterAll(async () => {
    await anthropic?.close();
  });

  it("counts each answer's tokens by kind and its cost, as the budget records them", async () => {
    const metrics = new AppMetrics();
    const model = new ModelAccess({
      provider: new AnthropicClient({ apiKey: "sk-ant-metrics-key", baseURL: anthropic.url, maxRetries: 0 }),
      store: forgetfulLedger(),
      runId: "run-metrics",
      repo: "acme/widgets",
      budgets: defaultRepoConfig().budgets,
      metrics,
    });
    const first = { input_tokens: 1_200, output_tokens: 300, cache_creation_input_tokens: 500, cache_read_input_tokens: 700 };
    const second = { input_tokens: 100, output_tokens: 50, cache_creation_input_tokens: 0, cache_read_input_tokens: 2_000 };
    anthropic.push({ content: [{ type: "text", text: "One." }], usage: first }, { content: [{ type: "text", text: "Two." }], usage: second });
    for (let i = 0; i < 2; i++) await model.call({ model: MODEL, max_tokens: 1_000, messages: [{ role: "user", content: "Say a number." }] });

    const text = parseExposition(await metrics.registry.metrics());
    expect(text.value("ai_agent_model_tokens_total", { kind: "input" })).toBe(1_300);
    expect(text.value("ai_agent_model_tokens_total", { kind: "output" })).toBe(350);
    expect(text.value("ai_agent_model_tokens_total", { kind: "cache_write" })).toBe(500);
    expect(text.value("ai_agent_model_tokens_total", { kind: "cache_read" })).toBe(2_700);
    const usage = (u: typeof first) => ({ inputTokens: u.input_tokens, outputTokens: u.output_tokens, cacheWriteTokens: u.cache_creation_input_tokens, cacheReadTokens: u.cache_read_input_tokens });
    const expected = (costMicros(MODEL, usage(first)) + costMicros(MODEL, usage(second))) / 1_000_000;
    expect(expected).toBeGreaterThan(0);
    expect(text.value("ai_agent_model_cost_usd_total")).toBeCloseTo(expected, 9);
  });

  it("counts nothing for a call the API refuses", async () => {
    const metrics = new AppMetrics();
    const model = new ModelAccess({
      provider: new AnthropicClient({ apiKey: "sk-ant-metrics-key", baseURL: anthropic.url, maxRetries: 0 }),
      store: forgetfulLedger(),
      runId: "run-metrics-refused",
      repo: "acme/widgets",
      budgets: defaultRepoConfig().budgets,
      metrics,
    });
    anthropic.push({ error: { status: 400, type: "invalid_request_error", message: "bad request" } });
    await expect(model.call({ model: MODEL, max_tokens: 1_000, messages: [{ role: "user", content: "Hi." }] })).rejects.toThrow();
    const text = parseExposition(await metrics.registry.metrics());
    expect(text.value("ai_agent_model_tokens_total")).toBe(0);
    expect(text.value("ai_agent_model_cost_usd_total")).toBe(0);
  });
});
