import type Anthropic from "@anthropic-ai/sdk";

/**
 * What the agent loop, plans, reviews, `/ai ask` and the budget ask of a model, whoever serves it:
 * one call, a token count, a price. Requests and answers have the shape of the Messages API
 * (content blocks, tool calls, stop reasons, usage), which the loop is written against; a provider
 * of another API translates to and from it inside its own folder. Only types come from the SDK.
 */

export type ModelRequest = Anthropic.MessageCreateParamsNonStreaming;
export type ModelResponse = Anthropic.Message;

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
}

export interface ModelProvider {
  /** The integration's id, for messages and logs. */
  readonly id: string;
  /**
   * One model call, streamed where the API needs it for long outputs, retried where it is worth
   * it. Failures a person can act on are UserFacingErrors; none carries a credential.
   */
  call(request: ModelRequest, signal?: AbortSignal): Promise<ModelResponse>;
  /** The provider's token count for `text` as one user message; undefined when it cannot say. */
  countTokens(model: string, text: string): Promise<number | undefined>;
  /**
   * What `usage` of `model` costs, in micro-dollars rounded up. An unknown model is priced as the
   * dearest one, so a budget errs on the side of stopping early. Token counts may be fractional
   * (the budget prices an estimate of a prompt before sending it).
   */
  price(model: string, usage: TokenUsage): number;
}

/** The usage an answer reports, in our terms; absent cache counts are none. */
export function usageOf(response: ModelResponse): TokenUsage {
  return {
    inputTokens: response.usage.input_tokens,
    outputTokens: response.usage.output_tokens,
    cacheWriteTokens: response.usage.cache_creation_input_tokens ?? 0,
    cacheReadTokens: response.usage.cache_read_input_tokens ?? 0,
  };
}
