import { z } from "zod";
import { repoConfigSchema } from "../config/repo-config-composed.js";
import { closest } from "../core/suggest.js";

/**
 * The fields templates can read under `issue`, `pull_request`, `repo`, `run` and `config`, so a
 * misspelt one (`{{ issue.titel }}`) is refused when the file is loaded, with the nearest name,
 * instead of failing the run half-way through. The first four are what a run's scope holds (see
 * run-task.ts, which builds it; a test runs a workflow that reads every field listed here); the
 * configuration's are its schema's own keys.
 */

/** A value's kind, for what may follow it: a list has items and `size`, text `size`, a number nothing. */
export type Field = "text" | "number" | "boolean" | "list" | "any" | Fields;
export interface Fields {
  readonly [name: string]: Field;
}

const ISSUE: Fields = { number: "number", title: "text", body: "text", state: "text", author: "text", labels: "list", url: "text" };
const PULL_REQUEST: Fields = {
  number: "number",
  title: "text",
  body: "text",
  state: "text",
  draft: "boolean",
  author: "text",
  head: { ref: "text", sha: "text", repo: "text" },
  base: { ref: "text" },
  url: "text",
};
const REPO: Fields = { owner: "text", name: "text", full_name: "text", default_branch: "text", url: "text" };
/** `status` is there only in post steps, where the outcome is known. */
const RUN: Fields = { id: "text", task: "text", trigger: "text", actor: "text", input: "text", status: "text" };

/** The configuration as templates see it (scope.ts): the file's settings, `workflows` left out. */
function configFields(): Fields {
  const shown = Object.entries(repoConfigSchema.shape).filter(([key]) => key !== "workflows");
  return Object.fromEntries(shown.map(([key, value]) => [key, fieldOf(value as z.ZodType)]));
}

function fieldOf(schema: z.ZodType): Field {
  if (schema instanceof z.ZodPipe) return fieldOf(schema.out as z.ZodType);
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) return fieldOf(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodObject) return Object.fromEntries(Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, value]) => [key, fieldOf(value)]));
  if (schema instanceof z.ZodArray) return "list";
  if (schema instanceof z.ZodString || schema instanceof z.ZodEnum) return "text";
  if (schema instanceof z.ZodNumber || schema instanceof z.ZodLiteral) return "number";
  if (schema instanceof z.ZodBoolean) return "boolean";
  return "any";
}

export const TEMPLATE_FIELDS: Readonly<Record<"issue" | "pull_request" | "repo" | "run" | "config", Fields>> = {
  issue: ISSUE,
  pull_request: PULL_REQUEST,
  repo: REPO,
  run: RUN,
  config: configFields(),
};

/** What Liquid reads on any list or text: `labels.size`, `labels.first`, `title.size`. */
const TEXT_PROPERTIES = new Set(["size", "length"]);
const LIST_PROPERTIES = new Set(["size", "length", "first", "last"]);

/**
 * Why `path` (a variable as the template reads it, such as `["issue", "titel"]`) does not exist
 * under `fields`, or undefined when it does or cannot be known (a computed segment).
 */
export function fieldProblem(fields: Fields, path: readonly (string | null)[]): string | undefined {
  let field: Field = fields;
  let shown = path[0] ?? "";
  for (const segment of path.slice(1)) {
    if (segment === null || field === "any") return undefined;
    if (typeof field === "object") {
      const next: Field | undefined = field[segment];
      if (next === undefined) {
        if (segment === "size") return undefined;
        const names = Object.keys(field);
        const guess = closest(segment, names);
        return `unknown variable ${shown}.${segment}${guess ? `; did you mean ${shown}.${guess}?` : ";"} ${shown} has ${names.join(", ")}`;
      }
      field = next;
    } else if (field === "list") {
      if (!/^\d+$/.test(segment) && !LIST_PROPERTIES.has(segment)) return `${shown} is a list; read its items (${shown}.first, ${shown}[0]) or ${shown}.size, not ${shown}.${segment}`;
      return undefined;
    } else if (field === "text") {
      if (TEXT_PROPERTIES.has(segment)) return undefined;
      return `${shown} is text; it has no field "${segment}" (only ${shown}.size)`;
    } else {
      return `${shown} is ${field === "number" ? "a number" : "true or false"}; it has no field "${segment}"`;
    }
    shown = `${shown}.${segment}`;
  }
  return undefined;
}
