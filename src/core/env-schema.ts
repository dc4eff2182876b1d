import { z } from "zod";

/**
 * The building blocks of environment variable schemas, for the server's own variables and each
 * integration's. Messages say what is expected, never the value: several variables are secrets,
 * and a boot log is the first thing people paste into a bug report.
 */

/** An empty or blank variable reads as unset, the way a commented-out line in .env does. */
export const emptyToUndefined = (value: unknown): unknown => (typeof value === "string" && value.trim() === "" ? undefined : value);

export const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

export const integer = (min: number, max: number, fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d+$/, `expected a whole number from ${min} to ${max}`)
      .transform(Number)
      .refine((n) => n >= min && n <= max, `expected a whole number from ${min} to ${max}`)
      .optional()
      .transform((n) => n ?? fallback),
  );

export const urlWithScheme = (schemes: readonly string[], what: string) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((value) => {
        try {
          const url = new URL(value);
          return schemes.includes(url.protocol);
        } catch {
          return false;
        }
      }, `expected ${what}`)
      .optional(),
  );
