import { describe, expect, it } from "vitest";
import { splitCommand } from "../../src/core/argv.js";
import { TemplateError, analyzeTemplate, evaluateCondition, renderTemplate, renderValue } from "../../src/workflow/template.js";

const scope = {
  issue: { number: 7, title: "Add a greeting", labels: ["bug", "ui"] },
  steps: { plan: { status: "succeeded", outputs: { summary: "Do it", files: ["a.ts", "b.ts"] } } },
  config: { agent: { commands: { test: 'npm test -- --grep "two words"' } } },
};

describe("workflow templates", () => {
  it("renders variables and filters", () => {
    expect(renderTemplate("#{{ issue.number }} {{ issue.title | downcase }}: {{ steps.plan.outputs.summary }}", scope)).toBe("#7 add a greeting: Do it");
    expect(renderTemplate("{{ issue.labels | join: ', ' }}", scope)).toBe("bug, ui");
  });

  it("keeps the type of a value that is one expression", () => {
    expect(renderValue("{{ steps.plan.outputs.files }}", scope)).toEqual(["a.ts", "b.ts"]);
    expect(renderValue({ n: "{{ issue.number }}", nested: ["{{ issue.title }}", 3] }, scope)).toEqual({ n: 7, nested: ["Add a greeting", 3] });
  });

  it("names an unknown variable instead of rendering nothing", () => {
    expect(() => renderTemplate("{{ issue.titel }}", scope)).toThrow(new TemplateError('unknown variable issue.titel in "{{ issue.titel }}"'));
    expect(() => renderValue("{{ steps.code.outputs.branch }}", scope)).toThrow(/unknown variable steps\.code/);
    expect(() => evaluateCondition("deploy == true", scope)).toThrow(/unknown variable deploy/);
  });

  it("gives templates no file system, includes, or prototype walks", () => {
    for (const text of ["{% include 'x' %}", "{% render '/etc/passwd' %}", "{% layout 'base' %}"]) {
      expect(() => renderTemplate(text, scope)).toThrow(/not available in workflow templates/);
      const analysis = analyzeTemplate(text);
      expect(analysis.ok ? "parsed" : analysis.message).toMatch(/templates cannot read files/);
    }
    expect(() => renderTemplate("{{ issue.constructor }}", scope)).toThrow(/unknown variable/);
    expect(() => renderTemplate("{{ issue.title.__proto__ }}", scope)).toThrow(/unknown variable/);
  });

  it("evaluates conditions by Liquid's truth", () => {
    expect(evaluateCondition("issue.number > 5 and steps.plan.status == 'succeeded'", scope)).toBe(true);
    expect(evaluateCondition("{{ issue.number < 5 }}", scope)).toBe(false);
    expect(evaluateCondition("issue.labels contains 'ui'", scope)).toBe(true);
  });

  it("turns a configured command into an argument list with the argv filter", () => {
    expect(renderValue("{{ config.agent.commands.test | argv }}", scope)).toEqual(["npm", "test", "--", "--grep", "two words"]);
  });

  it("reports the variables a template reads, with positions", () => {
    expect(analyzeTemplate("a {{ steps.plan.outputs.summary }}\n{% for l in issue.labels %}{{ l }}{% endfor %}")).toEqual({
      ok: true,
      variables: [
        { path: ["steps", "plan", "outputs", "summary"], line: 1, column: 6 },
        { path: ["issue", "labels"], line: 2, column: 13 },
      ],
    });
  });
});

describe("splitCommand", () => {
  it.each([
    ["npm test", ["npm", "test"]],
    ["  npm   run  lint ", ["npm", "run", "lint"]],
    ["pytest -k 'slow and not db'", ["pytest", "-k", "slow and not db"]],
    ['go test "./..." -run "Test A"', ["go", "test", "./...", "-run", "Test A"]],
    ["echo a\\ b", ["echo", "a b"]],
    ['echo ""', ["echo", ""]],
  ])("%s", (command, argv) => {
    expect(splitCommand(command)).toEqual(argv);
  });

  it.each(["npm test && rm -rf /", "make | tee log", "echo $(whoami)", "echo `id`", "cat < /etc/passwd", "a; b", 'echo "$HOME"'])("refuses shell syntax: %s", (command) => {
    expect(() => splitCommand(command)).toThrow(/shell syntax/);
  });

  it("refuses an unclosed quote", () => {
    expect(() => splitCommand("echo 'oops")).toThrow(/unclosed single quote/);
  });
});
