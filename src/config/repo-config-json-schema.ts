import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import type { ActionLookup } from "../core/action.js";
import { actionStepSchema, stepSchema, workflowSchema } from "./workflow-schema.js";
import { type ConfigDocs, type DocTable, lookUp, readConfigDocs } from "./config-docs.js";
import { type JsonSchema, STEP_INPUTS_DEF, stepInputsJsonSchema, usesJsonSchema } from "./json-schema-actions.js";
import { REPO_CONFIG_PATH } from "./repo-config.js";
import { repoConfigSchema } from "./repo-config-composed.js";

/**
 * The JSON Schema of `.github/ai-agent.yml`, for editors (`# yaml-language-server: $schema=…`).
 * Generated from the zod schema, so it cannot drift from what the loader accepts;
 * `scripts/generate-config-schema.ts` writes it to `schema/ai-agent.schema.json`, and a test checks
 * the committed file is current and that it and the loader agree on every documented example.
 *
 * zod describes the input side of a `z.preprocess` by its output schema, so some things are fixed
 * up from the zod schema itself, walking mappings, lists and named mappings (`workflows:`) alike: a
 * key is required only if leaving it out fails (sections and most settings have defaults), a value
 * whose empty form (`triggers:`) parses also allows null, and a preprocessed mapping keeps its
 * default. Descriptions come from docs/configuration.md, `uses:` and `with:` from the actions.
 * The loader's messages stay the reference; the JSON Schema only helps while typing.
 */

export const SCHEMA_FILE = "schema/ai-agent.schema.json";

export interface SchemaSources {
  /** docs/configuration.md. */
  docs: string;
  /** The project's repository, `url:` of app.yml: `https://github.com/<owner>/<repo>`. */
  homepage: string;
  /** The actions whose `with:` inputs the schema describes: the server's. */
  actions: ActionLookup;
}

/** Where editors fetch the schema: the file on the main branch of the project's repository. */
export function schemaUrl(homepage: string): string {
  const match = /^https:\/\/github\.com\/([\w.-]+)\/([\w.-]+?)\/?$/.exec(homepage);
  if (!match) throw new Error(`expected the project's homepage as https://github.com/<owner>/<repo>, not ${homepage}`);
  return `https://raw.githubusercontent.com/${match[1]}/${match[2]}/main/${SCHEMA_FILE}`;
}

/** What the schema is built from, as the checkout at `root` has it. */
export function readSchemaSources(root: URL, actions: ActionLookup): SchemaSources {
  const app = z.object({ url: z.url() }).parse(parse(readFileSync(new URL("app.yml", root), "utf8")), { error: () => "app.yml needs url: the project's homepage" });
  return { docs: readFileSync(new URL("docs/configuration.md", root), "utf8"), homepage: app.url, actions };
}

export function buildJsonSchema(sources: SchemaSources): JsonSchema {
  const { actions } = sources;
  const generated = z.toJSONSchema(repoConfigSchema, { io: "input", target: "draft-2020-12" }) as JsonSchema;
  const walk = new Walk(readConfigDocs(sources.docs), actions);
  walk.fixUp(repoConfigSchema, generated, { table: "config", path: "" });
  // Read by the loader before the schema (config-sources.ts), so the zod schema does not list it.
  const properties = generated.properties as Record<string, JsonSchema>;
  properties._extends = walk.describe({ type: "string", minLength: 1 }, { table: "config", path: "_extends" });
  if (walk.undocumented.length > 0) {
    throw new Error(`docs/configuration.md has no row for ${walk.undocumented.join(", ")}; add one to its tables (| \`key\` | type | default | meaning |)`);
  }
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: schemaUrl(sources.homepage),
    title: "ai-agent repository configuration",
    description: `The settings of the ai-agent GitHub App for one repository, read from ${REPO_CONFIG_PATH}. Every key is optional except version; see docs/configuration.md.`,
    ...rest,
    $defs: { ...walk.defs, [STEP_INPUTS_DEF]: stepInputsJsonSchema(actions) },
  };
}

/** The schema as committed: two-space indents and a trailing newline. */
export function jsonSchemaText(sources: SchemaSources): string {
  return `${JSON.stringify(buildJsonSchema(sources), null, 2)}\n`;
}

/** Where a value is in the documentation: a table and the key's path within it. */
interface Where {
  table: DocTable;
  path: string;
}

/** Walks the zod schema and its JSON Schema side by side. */
class Walk {
  readonly undocumented: string[] = [];
  /** Schemas written once and referred to: the steps'. */
  readonly defs: Record<string, JsonSchema> = {};

  constructor(
    private readonly docs: ConfigDocs,
    private readonly actions: ActionLookup,
  ) {}

  fixUp(schema: z.ZodType, json: JsonSchema | undefined, where: Where): void {
    if (!json) return;
    if (schema instanceof z.ZodPipe) {
      if (schema.safeParse(null).success) allowNull(json);
      // zod loses the default of some preprocessed mappings (notify.jira.transitions); put it back.
      if (schema.out instanceof z.ZodDefault && !("default" in json)) json.default = schema.out.parse(undefined);
    }
    const inner = unwrap(schema);
    if (inner === workflowSchema) where = { table: "workflow", path: "" };
    if ((inner === stepSchema || inner === actionStepSchema) && inner instanceof z.ZodObject) {
      // A step's schema appears in five places; it is written once, in $defs, and referred to.
      const name = inner === stepSchema ? "step" : "action_step";
      if (!this.defs[name]) {
        this.fixUpObject(inner, json, { table: "step", path: "" });
        this.defs[name] = { ...json };
      }
      for (const key of Object.keys(json)) delete json[key];
      json.$ref = `#/$defs/${name}`;
      return;
    }

    if (inner instanceof z.ZodArray) this.fixUp(inner.element as z.ZodType, json.items as JsonSchema | undefined, { ...where, path: `${where.path}[]` });
    if (inner instanceof z.ZodRecord) {
      this.fixUp(inner.valueType as z.ZodType, json.additionalProperties as JsonSchema | undefined, { ...where, path: `${where.path}.*` });
    }
    if (inner instanceof z.ZodObject) this.fixUpObject(inner, json, where);
  }

  private fixUpObject(inner: z.ZodObject, json: JsonSchema, where: Where): void {
    const shape = inner.shape as Record<string, z.ZodType>;
    const required = Object.keys(shape).filter((key) => !shape[key]!.safeParse(undefined).success);
    if (required.length > 0) json.required = required;
    else delete json.required;
    const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
    if (inner === stepSchema || inner === actionStepSchema) this.step(json, properties, inner === stepSchema);
    for (const [key, value] of Object.entries(shape)) {
      const path = where.path ? `${where.path}.${key}` : key;
      this.fixUp(value, properties[key], { ...where, path });
      if (properties[key]) properties[key] = this.describe(properties[key], { ...where, path });
    }
  }

  /** `uses:` as the list of actions, `with:` as the inputs of the action named. */
  private step(json: JsonSchema, properties: Record<string, JsonSchema>, mayBeGroup: boolean): void {
    properties.uses = usesJsonSchema(this.actions);
    const rules: JsonSchema[] = [{ $ref: `#/$defs/${STEP_INPUTS_DEF}` }];
    if (mayBeGroup) {
      // The checks of stepSchema's refinement: an action or a group, and a group runs no action of its own.
      const present = (key: string, type: string) => ({ type: "object", properties: { [key]: { type } }, required: [key] });
      rules.push({ anyOf: [present("uses", "string"), present("parallel", "array")] });
      const none = { type: "null" };
      rules.push({ if: present("parallel", "array"), then: { properties: { uses: none, with: none, foreach: none, retry: none } } });
    }
    json.allOf = rules;
  }

  describe(json: JsonSchema, where: Where): JsonSchema {
    const section = where.table === "config" && !where.path.includes(".") ? this.docs.sections.get(where.path) : undefined;
    const doc = lookUp(this.docs, where.table, where.path);
    let description: string;
    if (doc) description = doc.default ? `${sentence(doc.meaning)}\n\n${defaultText(doc.default)}` : sentence(doc.meaning);
    else if (section) description = sentence(section);
    else {
      const name = where.table === "config" ? where.path : `${where.path} (under "A ${where.table}")`;
      if (!this.undocumented.includes(name)) this.undocumented.push(name);
      return json;
    }
    // The description first, where a person reading the file looks.
    return { description, ...Object.fromEntries(Object.entries(json).filter(([key]) => key !== "description")) };
  }
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
  else if (type === undefined && Array.isArray(schema.anyOf)) schema.anyOf = [...(schema.anyOf as unknown[]), { type: "null" }];
}

/** "Default: `false`.", or for a key that has none, "Required unless `parallel`." */
function defaultText(text: string): string {
  return /^required\b/i.test(text) ? sentence(text) : `Default: ${text.replace(/\.$/, "")}.`;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}`;
  return /[.!?)]$/.test(capital) ? capital : `${capital}.`;
}
