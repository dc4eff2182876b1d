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

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
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

/**
 * Dollars for people: two decimals from a cent up, and under a cent two significant digits
 * ($0.0042), so a cheap review does not read "$0.00" — that is kept for nothing at all.
 */
export function formatUsd(micros: number): string {
  const whole = Math.max(0, Math.round(micros));
  if (whole === 0) return "$0.00";
  if (whole >= 10_000) {
    const cents = Math.round(whole / 10_000);
    return `$${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
  }
  // Integer digits, not floating point: 4237 micro-dollars are "0.004237", shown as "$0.0042".
  const digits = String(whole).padStart(6, "0");
  const significant = digits.search(/[1-9]/);
  return `$0.${digits.slice(0, significant + 2).replace(/0+$/, "")}`;
}
