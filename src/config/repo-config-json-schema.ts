import { z } from "zod";
import { REPO_CONFIG_PATH } from "./repo-config.js";
import { repoConfigSchema } from "./repo-config-schema.js";

/**
 * The JSON Schema of `.github/ai-agent.yml`, for editors (`# yaml-language-server: $schema=…`).
 * Generated from the zod schema, so it cannot drift from what the loader accepts;
 * `scripts/generate-config-schema.ts` writes it to `schema/ai-agent.schema.json`, and a test checks
 * the committed file is current.
 *
 * zod describes the input side of a `z.preprocess` by its output schema, so three things are fixed
 * up from the zod schema itself: a key is required only if leaving it out fails (sections and most
 * settings have defaults), a value whose empty form (`triggers:`) parses also allows null, and a
 * preprocessed mapping keeps its default.
 * The loader's messages stay the reference; the JSON Schema only helps while typing.
 */

export const JSON_SCHEMA_ID = "ai-agent.schema.json";

type JsonSchema = Record<string, unknown>;

export function buildJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(repoConfigSchema, { io: "input", target: "draft-2020-12" }) as JsonSchema;
  fixUp(repoConfigSchema, generated);
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: JSON_SCHEMA_ID,
    title: "ai-agent repository configuration",
    description: `The settings of the ai-agent GitHub App for one repository, read from ${REPO_CONFIG_PATH}. Every key is optional except version; see docs/configuration.md.`,
    ...rest,
  };
}

/** The schema as committed: two-space indents and a trailing newline. */
export function jsonSchemaText(): string {
  return `${JSON.stringify(buildJsonSchema(), null, 2)}\n`;
}

/** Walks the zod schema and its JSON Schema side by side, mapping by mapping. */
function fixUp(schema: z.ZodType, json: JsonSchema | undefined): void {
  if (!json) return;
  if (schema instanceof z.ZodPipe) {
    if (schema.safeParse(null).success) allowNull(json);
    // zod loses the default of some preprocessed mappings (notify.jira.transitions); put it back.
    if (schema.out instanceof z.ZodDefault && !("default" in json)) json.default = schema.out.parse(undefined);
  }
  const mapping = unwrap(schema);
  if (!(mapping instanceof z.ZodObject)) return;
  const shape = mapping.shape as Record<string, z.ZodType>;
  const required = Object.keys(shape).filter((key) => !shape[key]!.safeParse(undefined).success);
  if (required.length > 0) json.required = required;
  else delete json.required;
  const properties = json.properties as Record<string, JsonSchema> | undefined;
  for (const [key, value] of Object.entries(shape)) fixUp(value, properties?.[key]);
}

/** The schema a preprocess, default or optional wraps. */
function unwrap(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodPipe) return unwrap(schema.out as z.ZodType);
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) return unwrap(schema.unwrap() as z.ZodType);
  return schema;
}

function allowNull(schema: JsonSchema): void {
  const { type } = schema;
  if (typeof type === "string" && type !== "null") schema.type = [type, "null"];
  else if (Array.isArray(type) && !type.includes("null")) schema.type = [...(type as unknown[]), "null"];
}
