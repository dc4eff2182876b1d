import { z } from "zod";
import { formatDuration } from "./format.js";

/** Durations as people write them in CI files: `500ms`, `30s`, `5m`, `1h`, or a mix such as `1m30s`. */
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const PART = /(\d+)(ms|s|m|h)/g;
const WHOLE = /^(?:\d+(?:ms|s|m|h))+$/;

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const compact = text.trim();
  if (!WHOLE.test(compact)) return undefined;
  let total = 0;
  for (const [, amount, unit] of compact.matchAll(PART)) total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return total;
}

/**
 * A duration from `min` to `max`. The text is kept as written (so printed workflows read as their
 * authors wrote them); `parseDuration` turns it into milliseconds where it is used.
 */
export function durationSchema(min: number, max: number) {
  const message = `expected a duration from ${formatDuration(min)} to ${formatDuration(max)}, such as "30s", "5m" or "1h"`;
  return z.string(message).refine((text) => {
    const ms = parseDuration(text);
    return ms !== undefined && ms >= min && ms <= max;
  }, message);
}
