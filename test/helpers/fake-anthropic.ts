/**
 * A local stand-in for the Anthropic Messages API (api.anthropic.com), for tests.
 *
 * It serves `POST /v1/messages` — as JSON, or as server-sent events when the body has
 * `stream: true` — and `POST /v1/messages/count_tokens` over real HTTP on 127.0.0.1, with the real
 * response shapes, so the official `@anthropic-ai/sdk` client works against it unchanged
 * (`new Anthropic({ baseURL: fake.url })`). Each `/v1/messages` request consumes the next scripted
 * reply: a message (text and tool_use blocks, stop reason, usage) or an API error with its status
 * and headers. Every request is recorded with its raw body, byte for byte. Shapes follow the
 * installed SDK's types (API version 2026-10-21), which the compiler checks.
 */
import { randomInt } from "node:crypto";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Message, RawMessageStreamEvent, TextBlock, ToolUseBlock } from "@anthropic-ai/sdk/resources/messages";
import type { RequestHold } from "./hold.js";

export type StopReason =
  | "end_turn"
  | "max_tokens"
  | "stop_sequence"
  | "tool_use"
  | "pause_turn"
  | "refusal"
  | "model_context_window_exceeded";

export interface ScriptedMessage {
  content: Array<
    { type: "text"; text: string } | { type: "tool_use"; name: string; input: Record<string, unknown>; id?: string }
  >;
  /** Default: "tool_use" if any tool_use block, else "end_turn". */
  stop_reason?: StopReason;
  /** Default: input estimated from the request's length, output from the content, cache fields 0. */
  usage?: Partial<{
    input_tokens: number;
    output_tokens: number;
    cache_creation_input_tokens: number;
    cache_read_input_tokens: number;
  }>;
}
export interface ScriptedError {
  error: { status: number; type: string; message: string };
  headers?: Record<string, string>;
}
export type ScriptedReply = ScriptedMessage | ScriptedError;
export type Script = ScriptedReply | ((request: RecordedRequest) => ScriptedReply);

export interface RecordedRequest {
  method: string;
  /** As requested, query string included. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The request body exactly as received. */
  raw: string;
  /** `raw` parsed as JSON ({} when it is not a JSON object). */
  body: Record<string, unknown>;
  stream: boolean;
}

export interface FakeAnthropic {
  /** Base URL for the SDK's `baseURL`, e.g. http://127.0.0.1:PORT */
  url: string;
  /** Every POST /v1/messages, in order. */
  requests: RecordedRequest[];
  /** Every POST /v1/messages/count_tokens, in order (these consume no scripted reply). */
  countTokensRequests: RecordedRequest[];
  /** Appends to the script queue. */
  push(...replies: Script[]): void;
  /** Replies not yet consumed. */
  pending(): number;
  close(): Promise<void>;
}

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** An id in the API's style: prefix, "01", then 22 base-62 characters. */
const newId = (prefix: string) =>
  `${prefix}_01${Array.from({ length: 22 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("")}`;
const estimateTokens = (text: string) => Math.ceil(text.length / 4);

/** Splits `text` into up to `parts` pieces of whole code points; always at least one piece. */
function chunks(text: string, parts = 3): string[] {
  const points = Array.from(text);
  const size = Math.max(1, Math.ceil(points.length / parts));
  const out: string[] = [];
  for (let i = 0; i < points.length; i += size) out.push(points.slice(i, i + size).join(""));
  return out.length > 0 ? out : [""];
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, requestId: string, reply: ScriptedError): void {
  const { status, type, message } = reply.error;
  const body = { type: "error", error: { type, message }, request_id: requestId };
  sendJson(res, status, body, { "request-id": requestId, ...reply.headers });
}

/** The fake's own failures (script exhausted, unknown path): a 500 the SDK is told not to retry. */
const fakeFailure = (message: string): ScriptedError => ({
  error: { status: 500, type: "api_error", message: `fake anthropic: ${message}` },
  headers: { "x-should-retry": "false" },
});

const NO_DETAILS = { output_tokens_details: null, server_tool_use: null };

function buildMessage(reply: ScriptedMessage, request: RecordedRequest): Message {
  const content = reply.content.map(
    (block): TextBlock | ToolUseBlock =>
      block.type === "text"
        ? { type: "text", text: block.text, citations: null }
        : {
            type: "tool_use",
            id: block.id ?? newId("toolu"),
            caller: { type: "direct" },
            name: block.name,
            input: block.input,
          },
  );
  const outputText = content.map((b) => (b.type === "text" ? b.text : b.name + JSON.stringify(b.input))).join("");
  const cacheCreation = reply.usage?.cache_creation_input_tokens ?? 0;
  return {
    id: newId("msg"),
    type: "message",
    role: "assistant",
    model: typeof request.body.model === "string" ? request.body.model : "claude-unknown",
    content,
    stop_reason: reply.stop_reason ?? (content.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn"),
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: {
      input_tokens: reply.usage?.input_tokens ?? estimateTokens(request.raw),
      cache_creation_input_tokens: cacheCreation,
      cache_read_input_tokens: reply.usage?.cache_read_input_tokens ?? 0,
      cache_creation: { ephemeral_5m_input_tokens: cacheCreation, ephemeral_1h_input_tokens: 0 },
      output_tokens: reply.usage?.output_tokens ?? Math.max(1, estimateTokens(outputText)),
      ...NO_DETAILS,
      service_tier: "standard",
      inference_geo: "global",
      speed: "standard",
    },
  };
}

function sendStream(res: ServerResponse, requestId: string, message: Message): void {
  const headers = { "content-type": "text/event-stream", "cache-control": "no-cache", "request-id": requestId };
  res.writeHead(200, headers);
  const send = (event: RawMessageStreamEvent | { type: "ping" }) =>
    res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  const { usage } = message;
  const start = { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } };
  send({ type: "message_start", message: start });
  send({ type: "ping" });
  message.content.forEach((block, index) => {
    if (block.type === "text") {
      send({ type: "content_block_start", index, content_block: { ...block, text: "" } });
      for (const text of chunks(block.text)) {
        send({ type: "content_block_delta", index, delta: { type: "text_delta", text } });
      }
    } else if (block.type === "tool_use") {
      send({ type: "content_block_start", index, content_block: { ...block, input: {} } });
      for (const partial_json of chunks(JSON.stringify(block.input))) {
        send({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json } });
      }
    }
    send({ type: "content_block_stop", index });
  });
  const { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens } = usage;
  send({
    type: "message_delta",
    delta: { stop_reason: message.stop_reason, stop_sequence: null, stop_details: null, container: null },
    usage: { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens, ...NO_DETAILS },
  });
  send({ type: "message_stop" });
  res.end();
}

async function record(req: IncomingMessage): Promise<RecordedRequest> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  const raw = Buffer.concat(parts).toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const isObject = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed);
  const body = isObject ? (parsed as Record<string, unknown>) : {};
  const { method = "", url: path = "" } = req;
  return { method, path, headers: { ...req.headers }, raw, body, stream: body.stream === true };
}

export interface FakeAnthropicOptions {
  /** Answers a request when no scripted reply is left (a model that follows the conversation). */
  fallback?: (request: RecordedRequest) => ScriptedReply;
  /** Lets a test hold a request, to kill the caller while it waits. */
  hold?: RequestHold;
}

/** Starts the fake on 127.0.0.1 with an ephemeral port; `replies` are the first scripted replies. */
export async function startFakeAnthropic(replies: Script[] = [], options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const queue: Script[] = [...replies];
  const requests: RecordedRequest[] = [];
  const countTokensRequests: RecordedRequest[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await record(req);
    const requestId = newId("req");
    const pathname = new URL(request.path, "http://fake").pathname;
    if (request.method === "POST" && pathname === "/v1/messages/count_tokens") {
      countTokensRequests.push(request);
      sendJson(res, 200, { input_tokens: estimateTokens(request.raw) }, { "request-id": requestId });
      return;
    }
    if (request.method !== "POST" || pathname !== "/v1/messages") {
      sendError(res, requestId, fakeFailure(`unknown path ${request.method} ${request.path}`));
      return;
    }
    requests.push(request);
    const respond = () => {
      const next = queue.shift() ?? options.fallback;
      if (next === undefined) {
        sendError(res, requestId, fakeFailure(`no scripted reply left (request ${requests.length})`));
        return;
      }
      const reply = typeof next === "function" ? next(request) : next;
      if ("error" in reply) sendError(res, requestId, reply);
      else if (request.stream) sendStream(res, requestId, buildMessage(reply, request));
      else sendJson(res, 200, buildMessage(reply, request), { "request-id": requestId });
    };
    if (options.hold) options.hold.pass({ service: "anthropic", method: request.method, path: request.path, body: request.raw }, respond, () => res.destroy());
    else respond();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const failure = fakeFailure(`script failed: ${error instanceof Error ? error.message : String(error)}`);
      if (res.headersSent) res.destroy();
      else sendError(res, newId("req"), failure);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    countTokensRequests,
    push: (...more) => void queue.push(...more),
    pending: () => queue.length,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
