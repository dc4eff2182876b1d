import { afterEach, describe, expect, it } from "vitest";
import { AnthropicClient, ModelUnavailable, SpendLimitReached } from "../../../src/integrations/anthropic/client.js";
import { anthropic } from "../../../src/integrations/anthropic/index.js";
import { costMicros, priceOf } from "../../../src/integrations/anthropic/prices.js";
import type { ModelRequest } from "../../../src/integrations/kinds/model-provider.js";
import { integrations, integrationsOfKind } from "../../../src/integrations/registry.js";
import { type FakeAnthropic, startFakeAnthropic } from "../../helpers/fake-anthropic.js";

const MODEL = "claude-sonnet-5-5";
const REQUEST: ModelRequest = { model: MODEL, max_tokens: 1000, messages: [{ role: "user", content: "Hello" }] };

let fake: FakeAnthropic | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const client = (maxRetries: number, apiKey = "sk-ant-test") => new AnthropicClient({ apiKey, baseURL: fake!.url, maxRetries });

describe("the Anthropic model provider", () => {
  it("retries 429 and 529 honouring retry-after, and gives up with a clear message", async () => {
    fake = await startFakeAnthropic([{ error: { status: 529, type: "overloaded_error", message: "Overloaded" }, headers: { "retry-after": "0" } }, { content: [{ type: "text", text: "after a retry" }] }]);
    const answer = await client(2).call(REQUEST);
    expect(answer.content).toMatchObject([{ type: "text", text: "after a retry" }]);
    expect(fake.requests).toHaveLength(2);
    await fake.close();

    fake = await startFakeAnthropic(Array.from({ length: 3 }, () => ({ error: { status: 429, type: "rate_limit_error", message: "Rate limited" }, headers: { "retry-after": "0" } })));
    const call = client(2).call(REQUEST);
    await expect(call).rejects.toBeInstanceOf(ModelUnavailable);
    await expect(call).rejects.toThrow("The Anthropic API is rate limiting requests (429) and did not recover after 2 retries; try again later.");
  });

  it("treats a spend-limit error as final, without retrying", async () => {
    fake = await startFakeAnthropic([{ error: { status: 400, type: "invalid_request_error", message: "Your credit balance is too low to access the Anthropic API." } }, { content: [{ type: "text", text: "never" }] }]);
    const call = client(3).call(REQUEST);
    await expect(call).rejects.toBeInstanceOf(SpendLimitReached);
    await expect(call).rejects.toThrow("The Anthropic account cannot pay for more requests, so the run stopped: Your credit balance is too low to access the Anthropic API.");
    expect(fake.requests).toHaveLength(1);
  });

  it("never puts the API key in a request body or an error message", async () => {
    fake = await startFakeAnthropic([{ error: { status: 401, type: "authentication_error", message: "invalid x-api-key" } }]);
    await expect(client(0, "sk-ant-secret-key-123").call(REQUEST)).rejects.toThrow("The Anthropic API refused the API key (401); check ANTHROPIC_API_KEY on the server.");
    expect(fake.requests[0]!.raw).not.toContain("sk-ant-secret-key-123");
    expect(fake.requests[0]!.headers.authorization).toBe("Bearer sk-ant-secret-key-123");
  });

  it("refuses an answer whose usage it cannot price, rather than counting it as free", async () => {
    fake = await startFakeAnthropic([{ content: [{ type: "text", text: "cheap?" }], usage: { input_tokens: -1 } }]);
    const call = client(0).call(REQUEST);
    await expect(call).rejects.toBeInstanceOf(ModelUnavailable);
    await expect(call).rejects.toThrow("The Anthropic API sent an answer without the content, stop reason or usage this app needs");
  });

  it("counts tokens with the API, and says nothing when the endpoint cannot", async () => {
    fake = await startFakeAnthropic();
    const counted = await client(0).countTokens(MODEL, "x".repeat(400));
    expect(fake.countTokensRequests).toHaveLength(1);
    expect(counted).toBe(Math.ceil(fake.countTokensRequests[0]!.raw.length / 4));
    await fake.close();
    const gone = fake.url;
    fake = undefined;
    expect(await new AnthropicClient({ apiKey: "sk-ant-test", baseURL: gone, maxRetries: 0 }).countTokens(MODEL, "x")).toBeUndefined();
  });

  it("prices usage by the table, an unknown model at the dearest row", () => {
    const usage = { inputTokens: 1_000, outputTokens: 2_000, cacheWriteTokens: 100, cacheReadTokens: 10_000 };
    // Sonnet: $3 in, $15 out, $3.75 cache write, $0.30 cache read per million tokens.
    expect(new AnthropicClient({ apiKey: "sk-ant-test" }).price(MODEL, usage)).toBe(3_000 + 30_000 + 375 + 3_000);
    expect(costMicros("claude-haiku-5", usage)).toBe(1_000 + 10_000 + 125 + 1_000);
    expect(priceOf("some-other-model")).toEqual(priceOf("claude-opus-4-1"));
  });
});

describe("the anthropic integration", () => {
  it("is the registry's model provider, with its key as its secret", () => {
    expect(integrations.get("anthropic")).toBe(anthropic);
    expect(integrationsOfKind("model-provider")).toContain(anthropic);
    expect(anthropic.secrets).toEqual(["ANTHROPIC_API_KEY"]);
  });

  it("reads its variables, naming the one that is wrong", () => {
    expect(anthropic.env.parse({ ANTHROPIC_API_KEY: " ", ANTHROPIC_MAX_RETRIES: "" })).toEqual({ ANTHROPIC_MAX_RETRIES: 4 });
    const bad = anthropic.env.safeParse({ ANTHROPIC_BASE_URL: "ftp://example.com", ANTHROPIC_MAX_RETRIES: "11" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`)).toEqual([
      "ANTHROPIC_BASE_URL: expected an http(s) URL such as https://api.anthropic.com",
      "ANTHROPIC_MAX_RETRIES: expected a whole number from 0 to 10",
    ]);
  });

  it("connects only with an API key", async () => {
    expect(anthropic.connect(anthropic.env.parse({}))).toBeUndefined();
    fake = await startFakeAnthropic([{ content: [{ type: "text", text: "connected" }] }]);
    const provider = anthropic.connect(anthropic.env.parse({ ANTHROPIC_API_KEY: "sk-ant-connected", ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_MAX_RETRIES: "0" }));
    expect((await provider!.call(REQUEST)).content).toMatchObject([{ type: "text", text: "connected" }]);
    expect(fake.requests[0]!.headers.authorization).toBe("Bearer sk-ant-connected");
  });
});
