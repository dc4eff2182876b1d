import type { TokenUsage } from "../kinds/model-provider.js";

/**
 * What each model costs, in US dollars per million tokens — the one table to update when prices
 * change. A model matches the first row whose pattern fits its id; an unknown model is priced as
 * the most expensive row, so a budget errs on the side of stopping early.
 */

export interface ModelPrice {
  input: number;
  output: number;
  /** Writing the prompt cache (5-minute lifetime). */
  cacheWrite: number;
  cacheRead: number;
}

export const PRICES: readonly { model: RegExp; price: ModelPrice }[] = [
  { model: /^claude-opus-4-(0|1)(\b|-)/, price: { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 } },
  { model: /^claude-opus-/, price: { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 } },
  { model: /^claude-sonnet-/, price: { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 } },
  { model: /^claude-haiku-/, price: { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 } },
];

const MOST_EXPENSIVE = PRICES.reduce((a, b) => (a.price.output >= b.price.output ? a : b)).price;

export function priceOf(model: string): ModelPrice {
  return PRICES.find((row) => row.model.test(model))?.price ?? MOST_EXPENSIVE;
}

/**
 * Micro-dollars, rounded up. One dollar per million tokens is one micro-dollar per token, so the
 * table's figures multiply token counts directly.
 */
export function costMicros(model: string, usage: TokenUsage): number {
  const price = priceOf(model);
  return Math.ceil(
    usage.inputTokens * price.input + usage.outputTokens * price.output + usage.cacheWriteTokens * price.cacheWrite + usage.cacheReadTokens * price.cacheRead,
  );
}
