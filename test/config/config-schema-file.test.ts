import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseRepoConfig } from "../../src/workflow/repo-config.js";
import { buildJsonSchema, jsonSchemaText, readSchemaSources } from "../../src/config/repo-config-json-schema.js";
import { repoConfigSchema } from "../../src/config/repo-config-composed.js";
import { builtInActions } from "../../src/workflow/actions/index.js";

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

type Json = Record<string, unknown>;

const sources = readSchemaSources(new URL("../../", import.meta.url), builtInActions());

/**
 * Every key path of a YAML file's mappings, `agent.commands.test` style; lists are leaves, and so
 * are `workflows` and `triggers.workflow_labels`, whose keys are names.
 */
function keyPaths(value: unknown, prefix = ""): string[] {
  if (value === null || typeof value !== "object" || Array.isArray(value) || ["workflows.", "triggers.workflow_labels."].includes(prefix)) return [];
  return Object.entries(value as Json).flatMap(([key, inner]) => [`${prefix}${key}`, ...keyPaths(inner, `${prefix}${key}.`)]);
}

/** Every key path the JSON Schema allows. */
function schemaKeyPaths(schema: Json, prefix = ""): string[] {
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  return Object.entries(properties).flatMap(([key, inner]) => [`${prefix}${key}`, ...schemaKeyPaths(inner, `${prefix}${key}.`)]);
}

describe("schema/ai-agent.schema.json", () => {
  it("is what scripts/generate-config-schema.ts writes now (run npm run schema:generate)", () => {
    expect(read("schema/ai-agent.schema.json")).toBe(jsonSchemaText(sources));
  });

  it("names itself and requires only version", () => {
    const schema = buildJsonSchema(sources);
    expect(schema).toMatchObject({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: "https://raw.githubusercontent.com/ai-agent/ai-agent/main/schema/ai-agent.schema.json",
      type: "object",
      required: ["version"],
      additionalProperties: false,
    });
    // `_extends` is read before the schema, by the loader of chained files.
    expect(Object.keys(schema.properties as Json)).toEqual([...Object.keys(repoConfigSchema.shape), "_extends"]);
  });
});

describe(".github/ai-agent.yml", () => {
  const text = read(".github/ai-agent.yml");

  it("points editors at the schema on its first line", () => {
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=../schema/ai-agent.schema.json");
  });

  it("parses without problems", () => {
    expect(parseRepoConfig(text)).toMatchObject({ ok: true, source: "file" });
  });

  it("writes out every section and key", () => {
    // The file as written, not as parsed: defaults would fill in the keys it leaves out.
    // All but _extends: the sample is a repository's own file, extending none.
    expect(keyPaths(parse(text)).sort()).toEqual(schemaKeyPaths(buildJsonSchema(sources)).filter((key) => key !== "_extends").sort());
  });
});
