import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeAnthropic, type ScriptedMessage, startFakeAnthropic } from "./fake-anthropic.js";

const MODEL = "claude-sonnet-5-5";
const params = {
  model: MODEL,
  max_tokens: 1024,
  messages: [{ role: "user" as const, content: "Hello" }],
};

let current: FakeAnthropic | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

async function setup(maxRetries = 0): Promise<{ fake: FakeAnthropic; client: Anthropic }> {
  const fake = await startFakeAnthropic();
  current = fake;
  return { fake, client: new Anthropic({ apiKey: "sk-ant-test", baseURL: fake.url, maxRetries }) };
}

/** Awaits `promise`, expecting it to reject, and returns the reason. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected the call to fail"),
    (error: unknown) => error,
  );
}

describe("fake Anthropic Messages API", () => {
  it("answers a non-streaming create with the scripted text and usage, and records the request", async () => {
    const { fake, client } = await setup();
    fake.push({ content: [{ type: "text", text: "Hi there!" }], usage: { input_tokens: 12, output_tokens: 5 } });

    const message = await client.messages.create(params);

    expect(message).toMatchObject({
      type: "message",
      role: "assistant",
      model: MODEL,
      content: [{ type: "text", text: "Hi there!", citations: null }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: {
        input_tokens: 12,
        output_tokens: 5,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
        service_tier: "standard",
      },
    });
    expect(message.id).toMatch(/^msg_01\w{22}$/);
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/v1/messages");
    // SDK 1.x sends the API key as a bearer token (not x-api-key) and API version 2026-10-21.
    expect(request?.headers.authorization).toBe("Bearer sk-ant-test");
    expect(request?.headers["anthropic-version"]).toBe("2026-10-21");
    expect(request?.body).toEqual(params);
    expect(request?.raw).toBe(JSON.stringify(params));
    expect(request?.stream).toBe(false);
    expect(fake.pending()).toBe(0);
  });

  it("estimates usage by default, and answers count_tokens without consuming the script", async () => {
    const { fake, client } = await setup();
    fake.push({ content: [{ type: "text", text: "12345678" }] });

    const counted = await client.messages.countTokens(params);
    expect(fake.pending()).toBe(1);
    const { data: message, request_id } = await client.messages.create(params).withResponse();

    expect(fake.countTokensRequests).toHaveLength(1);
    expect(counted.input_tokens).toBe(Math.ceil((fake.countTokensRequests[0]?.raw.length ?? 0) / 4));
    expect(message.usage.input_tokens).toBe(Math.ceil((fake.requests[0]?.raw.length ?? 0) / 4));
    expect(message.usage.output_tokens).toBe(2);
    expect(request_id).toMatch(/^req_01/);
  });

  it("streams a text block and a tool_use block that finalMessage() reconstructs exactly", async () => {
    const { fake, client } = await setup();
    const input = { path: "src/index.ts", options: { lines: [1, 20], note: "ünïcode 🎉 \"quoted\"" }, recursive: true };
    fake.push({
      content: [
        { type: "text", text: "Let me read that file for you, then I will decide what to do." },
        { type: "tool_use", name: "read_file", input },
      ],
      usage: { input_tokens: 321, output_tokens: 45, cache_read_input_tokens: 100, cache_creation_input_tokens: 7 },
    });

    const stream = client.messages.stream(params);
    const texts: string[] = [];
    stream.on("text", (delta) => texts.push(delta));
    const message = await stream.finalMessage();

    expect(texts.length).toBeGreaterThan(1);
    expect(message.content).toEqual([
      { type: "text", text: "Let me read that file for you, then I will decide what to do.", citations: null },
      {
        type: "tool_use",
        id: expect.stringMatching(/^toolu_01\w{22}$/) as unknown,
        caller: { type: "direct" },
        name: "read_file",
        input,
      },
    ]);
    expect(message.stop_reason).toBe("tool_use");
    expect(message.model).toBe(MODEL);
    expect(message.usage).toMatchObject({
      input_tokens: 321,
      output_tokens: 45,
      cache_read_input_tokens: 100,
      cache_creation_input_tokens: 7,
      cache_creation: { ephemeral_5m_input_tokens: 7, ephemeral_1h_input_tokens: 0 },
    });
    expect(fake.requests[0]?.stream).toBe(true);
  });

  it("answers create({ stream: true }) with the raw event sequence", async () => {
    const { fake, client } = await setup();
    fake.push({ content: [{ type: "tool_use", id: "toolu_01given", name: "noop", input: {} }] });

    const types: string[] = [];
    for await (const event of await client.messages.create({ ...params, stream: true })) types.push(event.type);

    // Consecutive deltas collapsed: how many chunks a block is split into is not part of the contract.
    expect(types.filter((type, i) => type !== types[i - 1])).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
  });

  it("has the SDK retry a 429 after its retry-after", async () => {
    const { fake, client } = await setup(2);
    const times: number[] = [];
    fake.push(
      () => {
        times.push(Date.now());
        return {
          error: { status: 429, type: "rate_limit_error", message: "Number of requests has exceeded your rate limit" },
          headers: { "retry-after": "1" },
        };
      },
      () => {
        times.push(Date.now());
        return { content: [{ type: "text", text: "finally" }] };
      },
    );

    const message = await client.messages.create(params);

    expect(message.content).toEqual([{ type: "text", text: "finally", citations: null }]);
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]?.raw).toBe(fake.requests[0]?.raw);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it("surfaces a 529 overloaded_error as the SDK's error class", async () => {
    const { fake, client } = await setup(0);
    fake.push({ error: { status: 529, type: "overloaded_error", message: "Overloaded" } });

    const error = await rejection(client.messages.create(params));

    expect(error).toBeInstanceOf(Anthropic.APIError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.status).toBe(529);
    expect(apiError.type).toBe("overloaded_error");
    expect(apiError.error).toMatchObject({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    expect(apiError.requestID).toMatch(/^req_01/);
    expect(fake.requests).toHaveLength(1);
  });

  it("surfaces a 400 invalid_request_error as BadRequestError, for a streaming request too", async () => {
    const { fake, client } = await setup(0);
    const credit = "Your credit balance is too low to access the Anthropic API.";
    const reply = { error: { status: 400, type: "invalid_request_error", message: credit } };
    fake.push(reply, reply);

    const error = await rejection(client.messages.create(params));
    const streamError = await rejection(client.messages.stream(params).finalMessage());

    for (const e of [error, streamError]) {
      expect(e).toBeInstanceOf(Anthropic.BadRequestError);
      expect((e as InstanceType<typeof Anthropic.BadRequestError>).message).toContain(credit);
    }
  });

  it.each(["pause_turn", "refusal", "max_tokens", "model_context_window_exceeded"] as const)(
    "passes stop_reason %s through in JSON and streaming modes",
    async (stop_reason) => {
      const { fake, client } = await setup();
      const reply: ScriptedMessage = {
        content: [
          { type: "text", text: "partial" },
          { type: "tool_use", id: "toolu_01fixed", name: "edit", input: { edits: [{ line: 3 }] } },
        ],
        stop_reason,
        usage: { input_tokens: 10 },
      };
      fake.push(reply, reply);

      const json = await client.messages.create(params);
      const streamed = await client.messages.stream(params).finalMessage();

      expect(json.stop_reason).toBe(stop_reason);
      expect(streamed.stop_reason).toBe(stop_reason);
      // The streamed message is the JSON one, apart from its id and the SDK's own parsed_output.
      expect(streamed).toEqual({ ...json, id: streamed.id, parsed_output: null });
    },
  );

  it("fails with a clear 500 when the script is exhausted", async () => {
    const { fake, client } = await setup(2);

    const error = await rejection(client.messages.create(params));

    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(500);
    expect((error as Error).message).toContain("no scripted reply left");
    // The fake tells the SDK not to retry its own failures.
    expect(fake.requests).toHaveLength(1);
  });

  it("passes the recorded request to a script function", async () => {
    const { fake, client } = await setup();
    fake.push((request) => ({
      content: [{ type: "text", text: `you said ${JSON.stringify(request.body.messages)}` }],
    }));

    const message = await client.messages.create(params);

    expect(message.content).toEqual([
      { type: "text", text: `you said ${JSON.stringify(params.messages)}`, citations: null },
    ]);
  });
});
