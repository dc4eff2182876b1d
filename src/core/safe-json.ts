/**
 * Text from outside — command output, tool results, model text, step outputs — may hold any bytes
 * at any length, and what keeps it must not break on them. PostgreSQL refuses U+0000 in text and
 * jsonb (a step output with a NUL byte once ended its run as an "internal error"), jsonb and the
 * Anthropic API refuse lone UTF-16 surrogates ("no low surrogate in string"), MongoDB refuses NUL in
 * keys, and a megabyte of output has no business in a run's row. These pure functions make such
 * values safe the same way for every backend and every consumer.
 */
import { redact } from "./redactor.js";

/** What a NUL becomes: visible, so a reader sees one was there, and accepted everywhere. */
export const NUL_ESCAPE = "\\u0000";

export interface StorableLimits {
  /** Characters one string keeps; longer ones keep their start and end around a note. */
  maxString: number;
  /** Characters all strings of a value keep together; the longest are cut further to fit. */
  maxTotal: number;
}

/**
 * 80 Ki characters a string: above the 64 KiB of output that shell.run and the tools keep (with
 * their own note of what they dropped), so the store's cut is only the net under everything else.
 */
export const DEFAULT_LIMITS: StorableLimits = { maxString: 80 * 1024, maxTotal: 1024 * 1024 };
/** Strings this short are never cut to fit the total: ids, names and statuses stay whole. */
const MIN_STRING = 1024;

/** A high surrogate with no low one after it, or a low one with no high one before it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * NUL escaped and lone surrogates replaced by U+FFFD (what `toWellFormed()` does; the compiler's
 * ES2023 library does not declare it). Invalid UTF-8 became U+FFFD when the bytes were decoded.
 */
export function repairText(text: string): string {
  return text.replace(LONE_SURROGATE, "\uFFFD").replaceAll("\0", NUL_ESCAPE);
}

/**
 * `text` repaired and at most `max` characters long: a longer text keeps its start and its end
 * (where a command's errors are) around a note of how much was cut.
 */
export function safeText(text: string, max = DEFAULT_LIMITS.maxString): string {
  const repaired = repairText(text);
  if (repaired.length <= max) return repaired;
  const note = (cut: number) => `\n… (${cut} characters cut) …\n`;
  // The note's own length depends on the count; the widest count is the whole text's length.
  const keep = Math.max(0, max - note(repaired.length).length);
  const head = Math.ceil(keep / 2);
  const tail = keep - head;
  const cut = repaired.length - keep;
  // Cutting may split a surrogate pair; the halves become U+FFFD rather than lone surrogates.
  return repairText(`${repaired.slice(0, head)}${note(cut)}${tail > 0 ? repaired.slice(-tail) : ""}`);
}

/**
 * A JSON-like value made safe to store: every secret the process knows redacted (a run's outputs
 * and errors are served and posted from here), every string and key repaired, each string
 * bounded, and the strings together bounded by cutting the longest first (never below 1 KiB each).
 * Dates stay Dates; bigints become strings and cycles a marker, since JSON has neither. Pure:
 * `value` is not changed.
 */
export function storable<T>(value: T, limits: StorableLimits = DEFAULT_LIMITS): T {
  return bounded(value, limits, redact);
}

/**
 * Every string and key of `value` repaired, nothing cut nor redacted: for requests whose parts
 * must all arrive as they are (a model request replays its signed thinking blocks verbatim).
 */
export function wellFormed<T>(value: T): T {
  return bounded(value, { maxString: Infinity, maxTotal: Infinity }, (text) => text);
}

function bounded<T>(value: T, limits: StorableLimits, clean: (text: string) => string): T {
  let maxString = limits.maxString;
  for (;;) {
    const counter = { total: 0 };
    const result = walk(value, maxString, counter, new Set(), clean);
    if (counter.total <= limits.maxTotal || maxString <= MIN_STRING) return result as T;
    maxString = Math.max(MIN_STRING, Math.floor(maxString / 2));
  }
}

function walk(value: unknown, maxString: number, counter: { total: number }, path: Set<object>, clean: (text: string) => string): unknown {
  if (typeof value === "string") {
    // Redacted before it is cut: a secret split by the cut would no longer be found whole.
    const text = safeText(clean(value), maxString);
    counter.total += text.length;
    return text;
  }
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  if (path.has(value)) return "[circular]";
  path.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => walk(item, maxString, counter, path, clean));
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return walk((toJSON as () => unknown).call(value), maxString, counter, path, clean);
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [repairText(clean(key)), walk(item, maxString, counter, path, clean)]));
  } finally {
    path.delete(value);
  }
}
