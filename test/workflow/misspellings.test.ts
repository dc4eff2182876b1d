import { describe, expect, it } from "vitest";
import { parseRepoConfig } from "../../src/workflow/repo-config.js";
import { BUILT_IN_WORKFLOWS_YAML } from "../../src/workflow/built-in.js";
import { demoWorkflow, lines } from "./helpers.js";

/**
 * What a run would trip on is refused when the file is loaded, with the nearest name and the
 * position in the file: misspelt template fields under every root, misspelt keys and values.
 */

function problemsOf(text: string): string[] {
  const result = parseRepoConfig(text);
  return result.ok ? [] : result.problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.message}`);
}

/** A workflow whose one step reads `template` in its instructions (line 7 of the file, column 32 onwards). */
const reading = (template: string) =>
  demoWorkflow("      - id: a", "        uses: ai.implement", `        with: { instructions: "${template}" }`);

describe("misspelt template fields", () => {
  it.each([
    ["{{ issue.titel }}", "7:35 workflows.demo.steps[0].with.instructions: unknown variable issue.titel; did you mean issue.title? issue has number, title, body, state, author, labels, url"],
    ["{{ run.inptu }}", "7:35 workflows.demo.steps[0].with.instructions: unknown variable run.inptu; did you mean run.input? run has id, task, trigger, actor, input, status"],
    ["{{ repo.fullname }}", "7:35 workflows.demo.steps[0].with.instructions: unknown variable repo.fullname; did you mean repo.full_name? repo has owner, name, full_name, default_branch, url"],
    ["{{ pull_request.head.rfe }}", "7:35 workflows.demo.steps[0].with.instructions: unknown variable pull_request.head.rfe; did you mean pull_request.head.ref? pull_request.head has ref, sha, repo"],
    ["{{ config.agent.comands.test }}", "7:35 workflows.demo.steps[0].with.instructions: unknown variable config.agent.comands; did you mean config.agent.commands? config.agent has commands, max_turns, protected_paths, allow_protected, draft_pull_requests, shell, sandbox, self_review, self_review_severity, follow_up, fix_ci"],
    ["{{ config.notify.jira.transitions.merged }}", "7:35 workflows.demo.steps[0].with.instructions: unknown variable config.notify.jira.transitions.merged; config.notify.jira.transitions has started, pr_opened, review_posted, succeeded, failed, stopped"],
    ["see {{ issue.number.digits }}", "7:39 workflows.demo.steps[0].with.instructions: issue.number is a number; it has no field \"digits\""],
    ["{{ issue.labels.name }}", "7:35 workflows.demo.steps[0].with.instructions: issue.labels is a list; read its items (issue.labels.first, issue.labels[0]) or issue.labels.size, not issue.labels.name"],
    ["{{ run.status }}", "7:35 workflows.demo.steps[0].with.instructions: run.status exists only in post steps, where the run's outcome is known"],
  ])("%s", (template, expected) => {
    expect(problemsOf(reading(template))).toEqual([`.github/ai-agent.yml:${expected}`]);
  });

  it("accepts every field, Liquid's size, first and last, and what cannot be known before the run", () => {
    const templates = [
      "{{ issue.title }} {{ issue.labels.first }} {{ issue.labels[0] }} {{ issue.labels.size }} {{ issue.title.size }} {{ issue.body | upcase }}",
      "{{ pull_request.head.sha }} {{ pull_request.base.ref }} {{ repo.full_name }} {{ run.input }} {{ run.actor }}",
      "{{ config.agent.commands.test }} {{ config.triggers.workflow_labels.anything }} {{ config.notify.slack.channel }} {{ config.agent.protected_paths.size }}",
      "{% for label in issue.labels %}{{ label.size }}{% endfor %}",
    ];
    for (const template of templates) expect(problemsOf(reading(template)), template).toEqual([]);
  });

  it("accepts run.status in post steps, and the built-in workflows as they are", () => {
    const post = lines("version: 1", "workflows:", "  demo:", "    steps: [{ id: a, uses: ai.plan }]", "    post:", "      always:", '        - { id: tell, uses: github.comment, with: { body: "{{ run.status }}: {{ steps.a.outputs.summary }}" } }');
    expect(problemsOf(post)).toEqual([]);
    const builtIn = `version: 1\nworkflows:\n${BUILT_IN_WORKFLOWS_YAML.replace(/^(?=.)/gm, "  ")}`;
    expect(problemsOf(builtIn)).toEqual([]);
  });

  it("names the nearest step, output and step part", () => {
    const text = demoWorkflow(
      "      - { id: plan, uses: ai.plan }",
      '      - { id: a, uses: ai.implement, with: { plan: "{{ steps.plna.outputs.summary }}", instructions: "{{ steps.plan.output.summary }}" } }',
    );
    expect(problemsOf(text)).toEqual([
      '.github/ai-agent.yml:6:56 workflows.demo.steps[1].with.plan: no step "plna" in this workflow; did you mean "plan"?',
      '.github/ai-agent.yml:6:106 workflows.demo.steps[1].with.instructions: steps.plan.output: did you mean steps.plan.outputs? a step has "outputs" and "status"',
    ]);
  });

  it("points inside a multi-line template at the misspelt field", () => {
    const text = demoWorkflow("      - id: a", "        uses: ai.implement", "        with:", "          instructions: |", "            Fix it.", "            Title: {{ issue.titel }}");
    expect(problemsOf(text)).toEqual([
      ".github/ai-agent.yml:10:23 workflows.demo.steps[0].with.instructions: unknown variable issue.titel; did you mean issue.title? issue has number, title, body, state, author, labels, url",
    ]);
  });
});

describe("misspelt keys and values", () => {
  it("names the key meant, at the key", () => {
    expect(problemsOf(lines("version: 1", "agent:", "  max_turn: 5"))).toEqual([
      ".github/ai-agent.yml:3:3 agent.max_turn: unknown key; did you mean \"max_turns\"? expected one of commands, max_turns, protected_paths, allow_protected, draft_pull_requests, shell, sandbox, self_review, self_review_severity, follow_up, fix_ci",
    ]);
    expect(problemsOf(lines("version: 1", "agent:", "  commands:", "    tests: npm test"))).toEqual([
      ".github/ai-agent.yml:4:5 agent.commands.tests: unknown key; did you mean \"test\"? expected one of install, test, lint, build",
    ]);
  });

  it("names the value meant", () => {
    expect(problemsOf(lines("version: 1", "triggers:", "  commands: [plan, implemnt]"))).toEqual([
      '.github/ai-agent.yml:3:20 triggers.commands[1]: "implemnt" is not a command; did you mean "implement"? expected one of plan, implement, review, ask, fix-ci, stop, status, help',
    ]);
    expect(problemsOf(lines("version: 1", "agent:", "  self_review_severity: hihg"))).toEqual([
      '.github/ai-agent.yml:3:25 agent.self_review_severity: "hihg" is not a severity; did you mean "high"? expected one of critical, high, medium, low, info',
    ]);
  });

  it("names the input meant, and suggests nothing far off", () => {
    expect(problemsOf(demoWorkflow("      - { id: a, uses: shell.run, with: { run: [ls], netwrok: true } }"))).toEqual([
      '.github/ai-agent.yml:5:54 workflows.demo.steps[0].with.netwrok: shell.run has no input "netwrok"; did you mean "network"? its inputs are run, working_directory, env, allow_failure, network, timeout_seconds',
    ]);
    expect(problemsOf(lines("version: 1", "agent:", "  xyz: 1"))[0]).toMatch(/agent\.xyz: unknown key; expected one of/);
  });
});
