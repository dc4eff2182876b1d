import { describe, expect, it } from "vitest";
import { executeRun } from "../../src/runs/execute-run.js";
import { type Field, TEMPLATE_FIELDS } from "../../src/workflow/template-fields.js";
import { postgresRuns } from "../helpers/postgres-runs.js";
import { lines, testActions } from "./helpers.js";

/**
 * The fields the load-time check knows are the fields a run's templates get: a real run (the
 * scope built from GitHub's answers, through the engine) hands each root to a step whole, and its
 * shape is compared with TEMPLATE_FIELDS, both ways — a field added to the scope but not to the
 * list would be refused as a typo, a field listed but not there would fail the run.
 */

const CONFIG = lines(
  "version: 1",
  // Every setting that is absent unless written, written: each field is then compared.
  "plan:",
  "  context:",
  "    confluence: { space: ENG, query: design }",
  "review:",
  "  max_files: 5000",
  "workflows:",
  "  ask:",
  "    steps:",
  '      - { id: scope, uses: test.echo, with: { value: { issue: "{{ issue }}", pull_request: "{{ pull_request }}", repo: "{{ repo }}", run: "{{ run }}", config: "{{ config }}" } } }',
  "    post:",
  "      always:",
  '        - { id: after, uses: test.echo, with: { value: "{{ run }}" } }',
);

/** The shape of a value as TEMPLATE_FIELDS writes it; null (an absent setting) fits any field. */
function shapeOf(value: unknown, field: Field): unknown {
  if (value === null || field === "any") return field;
  if (typeof field === "object") {
    if (typeof value !== "object" || Array.isArray(value)) return `not a mapping: ${JSON.stringify(value)}`;
    const record = value as Record<string, unknown>;
    return Object.fromEntries(Object.keys(record).map((key) => [key, field[key] === undefined ? "unlisted" : shapeOf(record[key], field[key])]));
  }
  const kind = Array.isArray(value) ? "list" : typeof value === "string" ? "text" : typeof value;
  return kind === field ? field : `${kind}, listed as ${field}`;
}

describe("the template fields the load-time check knows", () => {
  const runs = postgresRuns(CONFIG, (github) => github.pulls.set(2, { head: "feature", base: "main" }));

  async function scopeOfRun(kind: "issue" | "pull_request", number: number) {
    const { store } = runs;
    const test = testActions();
    const run = await store.createRun({ repo: "Codertocat/Hello-World", installationId: 1, number, kind, task: "ask", trigger: "command", actor: "Codertocat", input: "why?" });
    const outcome = await executeRun(run.id, runs.deps(test.actions));
    expect(outcome).toBe("finished");
    const [main, post] = test.callsOf("test.echo").map((call) => (call.input as { value: Record<string, unknown> }).value);
    return { main: main!, post: post! };
  }

  it("are exactly what an issue run's templates read, run.status in post steps only", async () => {
    const { main, post } = await scopeOfRun("issue", 1);
    const mainRun = Object.fromEntries(Object.entries(TEMPLATE_FIELDS.run).filter(([key]) => key !== "status"));
    expect(shapeOf(main.issue, TEMPLATE_FIELDS.issue)).toEqual(TEMPLATE_FIELDS.issue);
    expect(shapeOf(main.repo, TEMPLATE_FIELDS.repo)).toEqual(TEMPLATE_FIELDS.repo);
    expect(shapeOf(main.run, mainRun)).toEqual(mainRun);
    expect(shapeOf(post, TEMPLATE_FIELDS.run)).toEqual(TEMPLATE_FIELDS.run);
    expect(shapeOf(main.config, TEMPLATE_FIELDS.config)).toEqual(TEMPLATE_FIELDS.config);
    expect(main.pull_request).toBeNull();
  });

  it("are exactly what a pull request run's templates read", async () => {
    const { main } = await scopeOfRun("pull_request", 2);
    expect(shapeOf(main.pull_request, TEMPLATE_FIELDS.pull_request)).toEqual(TEMPLATE_FIELDS.pull_request);
  });
});
