import Anthropic from "@anthropic-ai/sdk";
import { UserFacingError } from "../../core/errors.js";
import { wellFormed } from "../../core/safe-json.js";
import type { ModelProvider, ModelRequest, ModelResponse, TokenUsage } from "../kinds/model-provider.js";
import { costMicros } from "./prices.js";
import { errorBodySchema, messageSchema, tokenCountSchema } from "./schema.js";

/**
 * The Anthropic model provider: the official SDK, streaming every call (long outputs would time out
 * as one JSON response), retrying 429 and 529 answers with the SDK's backoff, which honours
 * `retry-after`. Errors become messages a person can act on; none carries the API key.
 */

export interface AnthropicClientOptions {
  apiKey: string;
  baseURL?: string;
  /** Retries of 408/409/429/5xx/529 answers and dropped connections. */
  maxRetries?: number;
  /** Per request, in milliseconds. */
  timeoutMs?: number;
}

/** The account cannot pay for more: retrying is pointless, the run ends here. */
export class SpendLimitReached extends UserFacingError {
  override name = "SpendLimitReached";
}

export class ModelUnavailable extends UserFacingError {
  override name = "ModelUnavailable";
}

const SPEND_LIMIT = /credit balance|spend(ing)? limit|billing|usage limit|quota/i;

export class AnthropicClient implements ModelProvider {
  readonly id = "anthropic";
  private readonly client: Anthropic;

  constructor(private readonly options: AnthropicClientOptions) {
    this.client = new Anthropic({
      apiKey: options.apiKey,
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
      maxRetries: options.maxRetries ?? 4,
      timeout: options.timeoutMs ?? 10 * 60 * 1000,
    });
  }

  /** The API's token count for `text` as one user message; undefined when the endpoint cannot answer. */
  async countTokens(model: string, text: string): Promise<number | undefined> {
    try {
      const counted = tokenCountSchema.safeParse(await this.client.messages.countTokens({ model, messages: [{ role: "user", content: text }] }));
      return counted.success ? counted.data.input_tokens : undefined;
    } catch {
      return undefined;
    }
  }

  async call(request: ModelRequest, signal?: AbortSignal): Promise<ModelResponse> {
    let message: ModelResponse;
    try {
      // The API refuses a body with a lone surrogate anywhere ("no low surrogate in string"), and
      // issue text, diffs and tool output can hold one: every string goes out repaired.
      const stream = this.client.messages.stream(wellFormed(request), signal ? { signal } : {});
      message = await stream.finalMessage();
    } catch (error) {
      throw describeError(error, this.options.maxRetries ?? 4);
    }
    const checked = messageSchema.safeParse(message);
    if (!checked.success) {
      throw new ModelUnavailable("The Anthropic API sent an answer without the content, stop reason or usage this app needs; the server log has the details.", { cause: checked.error });
    }
    return message;
  }

  price(model: string, usage: TokenUsage): number {
    return costMicros(model, usage);
  }
}

/** What went wrong, for the person who triggered the run; the server log keeps the original. */
export function describeError(error: unknown, retries: number): Error {
  if (!(error instanceof Anthropic.APIError)) return error instanceof Error ? error : new Error(String(error));
  const raw = (error as { status?: unknown }).status;
  const status = typeof raw === "number" ? raw : undefined;
  const detail = apiMessage((error as { error?: unknown }).error, status);
  if ((status === 400 || status === 402 || status === 403 || status === 429) && SPEND_LIMIT.test(detail)) {
    return new SpendLimitReached(`The Anthropic account cannot pay for more requests, so the run stopped: ${detail}`);
  }
  if (status === 401) return new ModelUnavailable("The Anthropic API refused the API key (401); check ANTHROPIC_API_KEY on the server.");
  if (status === 429 || status === 529 || (status !== undefined && status >= 500)) {
    return new ModelUnavailable(`The Anthropic API is ${status === 429 ? "rate limiting requests" : "overloaded or failing"} (${status}) and did not recover after ${retries} retries; try again later.`);
  }
  // The cause stays on the error: the server logs it, and `ai-agent run` shows it at the terminal.
  if (status === undefined) return new ModelUnavailable("The Anthropic API could not be reached; the server log has the details.", { cause: error });
  return new ModelUnavailable(`The Anthropic API rejected the request (${status}): ${detail}`);
}

/** The `error.message` of the API's error body. */
function apiMessage(body: unknown, status: number | undefined): string {
  const parsed = errorBodySchema.safeParse(body);
  return parsed.success ? parsed.data.error.message.slice(0, 300) : `HTTP ${status ?? "error"}`;
}
