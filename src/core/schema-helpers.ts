import { z } from "zod";
import { closest } from "./suggest.js";

/**
 * The building blocks of the repository configuration's schema. Every message here is written for
 * the person editing `.github/ai-agent.yml`; the loader prefixes it with the key's path and its
 * line and column.
 */

/** A value as a person would recognise it in a message; long strings are cut. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return typeof value;
}

/** A mapping of settings whose unknown keys are errors that list the keys it takes. */
export function strictMapping<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  const keys = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? unknownKeyMessage(issue.keys, keys) : "expected a mapping of settings (key: value)"),
  });
}

/**
 * `unknown key; did you mean "max_turns"? expected one of …`. zod reports a mapping's unknown keys
 * as one issue, and the loader gives each key that message, so with several keys each near miss
 * is named with its key.
 */
export function unknownKeyMessage(unknown: readonly string[], known: readonly string[]): string {
  const guesses = unknown.flatMap((key) => {
    const guess = closest(key, known);
    return guess ? [{ key, guess }] : [];
  });
  const first = guesses[0];
  const hint =
    unknown.length === 1 && first
      ? `did you mean "${first.guess}"? `
      : guesses.length > 0
        ? `${guesses.map(({ key, guess }) => `"${key}" may be "${guess}"`).join(", ")}; `
        : "";
  return `unknown key; ${hint}expected one of ${known.join(", ")}`;
}

/**
 * A section: a strict mapping, defaults included. An empty value (`triggers:` with every line
 * under it commented out) reads as the section's defaults, the way it reads to a person.
 */
export function section<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  return z.preprocess((value) => value ?? {}, strictMapping(shape));
}

/**
 * A mapping that is absent unless written, such as `notify.jira`: an empty value (every line under
 * it commented out) reads as absent too.
 */
export function optionalSection<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  return optional(strictMapping(shape));
}

/** A value that is absent unless written; an empty value (`test:`) reads as absent. */
export function optional<Value extends z.ZodType>(value: Value) {
  return z.preprocess((input) => (input === null ? undefined : input), value.optional());
}

/** A list; an empty value (every item commented out) reads as the default list. */
export function list<Item extends z.ZodType>(item: Item, what: string, fallback: () => z.output<Item>[]) {
  return z.preprocess(
    (value) => (value === null ? undefined : value),
    z.array(item, `expected a list of ${what}`).default(fallback),
  );
}

export function oneOf<const Values extends readonly [string, ...string[]]>(values: Values, what: string) {
  return z.enum(values, {
    error: (issue) => {
      const guess = typeof issue.input === "string" ? closest(issue.input, values) : undefined;
      return `${describeValue(issue.input)} is not ${what}; ${guess ? `did you mean "${guess}"? ` : ""}expected one of ${values.join(", ")}`;
    },
  });
}

export const nonEmptyString = (what: string) => z.string(`expected ${what}`).min(1, `expected ${what}, not an empty string`);

/** A whole number from `min` to `max`; every failure gets the same message, naming the range. */
export function wholeNumber(min: number, max: number) {
  const message = `expected a whole number from ${min} to ${max}`;
  return z.number(message).int(message).min(min, message).max(max, message);
}

