import type { z } from "zod";
import { ToolInputError } from "./types.js";

/**
 * Tool input checked against its schema. Models do send inputs that break it — a plan's steps as
 * strings, a missing field, a number as text, a tool that does not exist — and a ZodError thrown
 * from there once ended a run as an "internal error". Here it becomes a ToolSchemaError that says
 * which field is wrong and what was expected, which the model reads and can correct; the loop
 * counts these, so a model that keeps failing ends the run with that message.
 */

/** Input that does not fit its tool's schema, or a call to a tool that does not exist. */
export class ToolSchemaError extends ToolInputError {
  override name = "ToolSchemaError";
}

/** Issues listed in one message; the model fixes the first ones and asks again. */
const MAX_ISSUES = 5;

/** `steps[0].title`-style paths: what the model wrote, in the shape it wrote it. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out || "(the input)";
}

/** What is wrong with an input, one short clause per field, e.g. `steps[0]: expected object, received string`. */
export function describeSchemaError(error: z.ZodError): string {
  const issues = error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const message = issue.message.replace(/^Invalid input: /, "");
    const missing = issue.code === "invalid_type" && / received undefined$/.test(message);
    return `${formatPath(issue.path)}: ${missing ? `missing (${message.replace(/, received undefined$/, "")})` : message}`;
  });
  const more = error.issues.length - MAX_ISSUES;
  return `${issues.join("; ")}${more > 0 ? `; and ${more} more` : ""}`;
}

/** `input` as `schema` reads it, or a ToolSchemaError naming the tool and what was wrong. */
export function parseToolInput<S extends z.ZodType>(tool: string, schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ToolSchemaError(`invalid input for ${tool}: ${describeSchemaError(parsed.error)}`);
  return parsed.data;
}
