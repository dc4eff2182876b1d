import { readFileSync, readdirSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseRepoConfig } from "../../src/workflow/repo-config.js";
import { SCHEMA_FILE, jsonSchemaText, readSchemaSources, schemaUrl } from "../../src/config/repo-config-json-schema.js";
import { builtInActions } from "../../src/workflow/actions/index.js";

/**
 * The JSON Schema editors use and the app's own validator must agree: on the sample file, on every
 * `.github/ai-agent.yml` example of the README and docs/, and on a few files each must refuse. An
 * example is a `yaml` code block whose first line that is not a comment is `version: …`, which
 * every configuration starts with.
 */

const root = new URL("../../", import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), "utf8");

interface Example {
  where: string;
  text: string;
}

function yamlExamples(markdown: string, file: string): Example[] {
  const examples: Example[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ya?ml\s*$/.test(lines[i]!)) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    const body = lines.slice(start, end);
    const first = body.find((line) => line.trim() !== "" && !line.trim().startsWith("#"));
    if (first !== undefined && /^version:/.test(first)) examples.push({ where: `${file}:${start + 1}`, text: `${body.join("\n")}\n` });
    i = end;
  }
  return examples;
}

const sources = readSchemaSources(root, builtInActions());
const schema = JSON.parse(read(SCHEMA_FILE)) as Record<string, unknown>;
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validateSchema = ajv.compile(schema);

/** What each validator says of a file: accepted, or the first of its reasons. */
function verdicts(text: string) {
  const app = parseRepoConfig(text);
  const jsonValid = validateSchema(parse(text) ?? {});
  return {
    app: app.ok ? "accepts" : `refuses: ${app.problems.map((p) => `${p.line}:${p.column} ${p.message}`).join("; ")}`,
    schema: jsonValid ? "accepts" : `refuses: ${ajv.errorsText(validateSchema.errors)}`,
  };
}

const docFiles = readdirSync(new URL("docs/", root)).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`);
const examples: Example[] = [
  { where: ".github/ai-agent.yml", text: read(".github/ai-agent.yml") },
  ...["README.md", ...docFiles].flatMap((file) => yamlExamples(read(file), file)),
];

describe("the JSON Schema and the app's validator", () => {
  it("find examples in the README and in docs/configuration.md", () => {
    expect(examples.filter((e) => e.where.startsWith("README.md:")).length).toBeGreaterThan(0);
    expect(examples.filter((e) => e.where.startsWith("docs/configuration.md:")).length).toBeGreaterThan(0);
  });

  it.each(examples.map((example) => [example.where, example.text]))("both accept the example at %s", (_where, text) => {
    expect(verdicts(text)).toEqual({ app: "accepts", schema: "accepts" });
  });

  const refused: [string, string][] = [
    ["a misspelt action", "version: 1\nworkflows:\n  demo:\n    steps:\n      - { id: a, uses: ai.implment }\n"],
    ["a misspelt input", "version: 1\nworkflows:\n  demo:\n    steps:\n      - { id: a, uses: ai.plan, with: { instruction: be brief } }\n"],
    ["a missing required input", "version: 1\nworkflows:\n  demo:\n    steps:\n      - { id: a, uses: shell.run }\n"],
    ["an input of the wrong type", "version: 1\nworkflows:\n  demo:\n    steps:\n      - { id: a, uses: shell.run, with: { run: [npm, test], allow_failure: maybe } }\n"],
    ["a misspelt key", "version: 1\nagent:\n  max_turn: 5\n"],
    ["a step with neither uses nor parallel", "version: 1\nworkflows:\n  demo:\n    steps:\n      - { id: a }\n"],
    ["a group with an action of its own", "version: 1\nworkflows:\n  demo:\n    steps:\n      - id: g\n        uses: ai.plan\n        parallel: [{ id: a, uses: ai.plan }, { id: b, uses: ai.review }]\n"],
  ];
  it.each(refused)("both refuse %s", (_name, text) => {
    const said = verdicts(text);
    expect(said.app).toMatch(/^refuses/);
    expect(said.schema).toMatch(/^refuses/);
  });

  const accepted: [string, string][] = [
    ["a workflow without post steps", "version: 1\nworkflows:\n  demo:\n    steps: [{ id: a, uses: ai.plan }]\n"],
    ["a templated list input", 'version: 1\nworkflows:\n  demo:\n    steps:\n      - { id: a, uses: shell.run, with: { run: "{{ config.agent.commands.test | argv }}" } }\n'],
    ["empty sections and an empty with", "version: 1\ntriggers:\nagent:\nworkflows:\n  demo:\n    steps:\n      - id: a\n        uses: ai.review\n        with:\n"],
    ["a file that extends another", "version: 1\n_extends: acme/.github\nmodels:\n  max_tokens: 8000\n"],
    ["a called workflow with inputs", "version: 1\nworkflows:\n  demo:\n    steps: [{ id: a, uses: workflow.plan, with: { anything: 1 } }]\n"],
  ];
  it.each(accepted)("both accept %s", (_name, text) => {
    expect(verdicts(text)).toEqual({ app: "accepts", schema: "accepts" });
  });
});

describe(SCHEMA_FILE, () => {
  it("is what npm run schema:generate writes now", () => {
    expect(read(SCHEMA_FILE)).toBe(jsonSchemaText(sources));
  });

  it("describes every property, with its default where it has one", () => {
    const undescribed: string[] = [];
    const visit = (node: unknown, path: string) => {
      if (node === null || typeof node !== "object") return;
      if (Array.isArray(node)) return node.forEach((item, i) => visit(item, `${path}/${i}`));
      const record = node as Record<string, unknown>;
      for (const [key, property] of Object.entries((record.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        // The properties of if/then branches only pick a case; the keys they constrain are described in full elsewhere.
        const inCondition = /\/(if|then|anyOf\/\d+)$/.test(path);
        if (!inCondition && typeof property.description !== "string") undescribed.push(`${path}/properties/${key}`);
        if (!inCondition && "default" in property && typeof property.description === "string") expect(property.description).toMatch(/Default: /);
      }
      for (const [key, value] of Object.entries(record)) visit(value, `${path}/${key}`);
    };
    visit(schema, "#");
    expect(undescribed).toEqual([]);
  });

  it("lists the actions under uses and describes each action's inputs", () => {
    const defs = schema.$defs as Record<string, { properties: Record<string, { anyOf: { enum?: string[] }[] }> }>;
    expect(defs.step!.properties.uses!.anyOf[0]!.enum).toContain("shell.run");
    const shellRun = JSON.stringify(schema).match(/"The inputs of shell\.run: [^"]*"/);
    expect(shellRun).not.toBeNull();
  });

  it("is published at the address the docs give for the $schema line", () => {
    const url = schemaUrl(sources.homepage);
    expect(schema.$id).toBe(url);
    expect(url).toBe(`https://raw.githubusercontent.com/${new URL(sources.homepage).pathname.slice(1)}/main/${SCHEMA_FILE}`);
    expect(read("docs/configuration.md")).toContain(`# yaml-language-server: $schema=${url}`);
  });
});
