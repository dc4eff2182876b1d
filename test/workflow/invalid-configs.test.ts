import { describe, expect, it } from "vitest";
import { REPO_CONFIG_PATH } from "../../src/config/repo-config.js";
import { parseRepoConfig } from "../../src/workflow/repo-config.js";
import { INVALID_CASES } from "./invalid-cases.js";

/**
 * Each invalid configuration gives exactly these problems, as line:column message. A failing case
 * shows the whole list it got, so a changed message is reviewed here, not discovered by a user.
 */
const EXPECTED: Record<string, string[]> = {
  "workflows as a list": ["3:3 workflows: expected a mapping of workflow names to workflows"],
  "a workflow name with capitals": ["3:3 workflows.Deploy: a workflow name is lowercase letters, digits, - and _, starting with a letter"],
  "a workflow without steps": ["4:5 workflows.demo.steps: expected a list of steps"],
  "an empty step list": ["4:12 workflows.demo.steps: a workflow needs at least one step"],
  "steps as a mapping": ["5:7 workflows.demo.steps: expected a list of steps"],
  "an unknown workflow key": ["4:5 workflows.demo.stages: unknown key; expected one of description, prerequisites, steps, outputs, post"],
  "a step without an id": ["5:9 workflows.demo.steps[0].id: expected a step id"],
  "a step id with a hyphen": ["5:13 workflows.demo.steps[0].id: a step id starts with a letter or _ and has only letters, digits and _ (at most 64), so templates can read steps.<id>"],
  "a step id as a number": ["5:13 workflows.demo.steps[0].id: expected a step id"],
  "a step with neither uses nor parallel": ["5:13 workflows.demo.steps[0].id: a step needs \"uses: <provider>.<action>\" or \"parallel:\" with a list of steps"],
  "uses without a provider": ["6:15 workflows.demo.steps[0].uses: expected an action as <provider>.<action>, such as \"shell.run\""],
  "an unknown action": ["6:15 workflows.demo.steps[0].uses: unknown action \"ai.implment\"; did you mean \"ai.implement\"? The actions are ai.answer_threads, ai.ask, ai.fix_ci, ai.follow_up, ai.implement, ai.plan, ai.review, ai.self_review, docs.confluence.publish, docs.confluence.search, email.send, git.push, github.add_labels, github.comment, github.create_pull_request, github.create_sub_issues, github.delete_branch, jira.comment, jira.create_issue, jira.create_tasks, jira.transition, linear.comment, linear.create_issue, linear.create_tasks, linear.transition, shell.run, slack.post"],
  "an unknown provider": ["6:15 workflows.demo.steps[0].uses: unknown action \"teams.post\". The actions are ai.answer_threads, ai.ask, ai.fix_ci, ai.follow_up, ai.implement, ai.plan, ai.review, ai.self_review, docs.confluence.publish, docs.confluence.search, email.send, git.push, github.add_labels, github.comment, github.create_pull_request, github.create_sub_issues, github.delete_branch, jira.comment, jira.create_issue, jira.create_tasks, jira.transition, linear.comment, linear.create_issue, linear.create_tasks, linear.transition, shell.run, slack.post"],
  "an unknown key on a step": ["7:9 workflows.demo.steps[0].needs: unknown key; expected one of id, name, if, timeout, retry, on_error, uses, with, foreach, parallel"],
  "an unknown input": ["7:17 workflows.demo.steps[0].with.instruction: ai.plan has no input \"instruction\"; did you mean \"instructions\"? its inputs are instructions, comment"],
  "a missing required input": ["7:15 workflows.demo.steps[0].with.head: github.create_pull_request needs the input \"head\""],
  "an input of the wrong type": ["7:48 workflows.demo.steps[0].with.draft: expected true or false, not text"],
  "shell.run given a string instead of a list": ["7:22 workflows.demo.steps[0].with.run: expected the command as a list of arguments, such as [npm, test]"],
  "with as a list": ["7:15 workflows.demo.steps[0].with: expected a mapping of inputs (name: value)"],
  "a duplicate step id": ["6:15 workflows.demo.steps[1].id: the step id \"a\" is used twice in the workflow; step ids must be unique"],
  "a duplicate id inside a parallel group": ["8:19 workflows.demo.steps[1].parallel[0].id: the step id \"a\" is used twice in the workflow; step ids must be unique"],
  "a reference to a later step": ["7:27 workflows.demo.steps[0].with.plan: steps.b runs after this step, so its outputs do not exist yet"],
  "a reference to a missing step": ["7:27 workflows.demo.steps[0].with.plan: no step \"planning\" in this workflow"],
  "a reference to a missing output": ["8:27 workflows.demo.steps[1].with.plan: steps.p (ai.plan) has no output \"sumary\"; did you mean \"summary\"? its outputs are body, comment_url, files, note, steps, summary, tasks"],
  "a step reading its own outputs": ["7:27 workflows.demo.steps[0].with.plan: a step cannot read its own outputs (steps.a)"],
  "a reference to something other than outputs": ["8:27 workflows.demo.steps[1].with.plan: steps.p.result: a step has \"outputs\" and \"status\""],
  "an unknown variable": ["7:35 workflows.demo.steps[0].with.instructions: unknown variable \"isue\"; did you mean \"issue\"? templates can read issue, pull_request, repo, run, config, steps, inputs, item, index"],
  "item outside foreach": ["7:35 workflows.demo.steps[0].with.instructions: \"item\" exists only in the inputs of a step with foreach"],
  "an unclosed output tag": ["7:32 workflows.demo.steps[0].with.instructions: template error: output \"{{ issue.title \" not closed"],
  "an unknown filter": ["7:32 workflows.demo.steps[0].with.instructions: template error: undefined filter: shout"],
  "an include tag": ["7:32 workflows.demo.steps[0].with.instructions: template error: the include tag is not available in workflow templates; templates cannot read files"],
  "a render tag in a block scalar": ["10:13 workflows.demo.steps[0].with.instructions: template error: the render tag is not available in workflow templates; templates cannot read files"],
  "a bad condition variable": ["6:13 workflows.demo.steps[0].if: no step \"nope\" in this workflow"],
  "a sibling in a parallel group read": ["8:60 workflows.demo.steps[0].parallel[1].with.plan: steps.a runs at the same time as this step (in one parallel group), so its outputs do not exist yet"],
  "a parallel group of one": ["7:11 workflows.demo.steps[0].parallel: a parallel group needs at least two steps"],
  "a nested parallel group": ["7:13 workflows.demo.steps[0].parallel[0].uses: expected an action as <provider>.<action>, such as \"shell.run\"","8:13 workflows.demo.steps[0].parallel[0].parallel: unknown key; expected one of id, name, if, timeout, retry, on_error, uses, with, foreach"],
  "uses on a parallel group": ["6:15 workflows.demo.steps[0].uses: a parallel group has no \"uses\"; put it on the steps inside the group"],
  "a timeout without a unit": ["5:42 workflows.demo.steps[0].timeout: expected a duration from 1s to 6h, such as \"30s\", \"5m\" or \"1h\""],
  "a timeout too long": ["5:42 workflows.demo.steps[0].timeout: expected a duration from 1s to 6h, such as \"30s\", \"5m\" or \"1h\""],
  "retry with zero attempts": ["5:52 workflows.demo.steps[0].retry.attempts: expected a whole number from 1 to 10"],
  "retry with too many attempts": ["5:52 workflows.demo.steps[0].retry.attempts: expected a whole number from 1 to 10"],
  "retry with a bad backoff": ["5:64 workflows.demo.steps[0].retry.backoff: expected a duration from 0ms to 10m, such as \"30s\", \"5m\" or \"1h\""],
  "an unknown error mode": ["5:43 workflows.demo.steps[0].on_error: \"ignore\" is not an error mode; expected one of fail, continue, retry, rollback"],
  "foreach as a mapping": ["5:42 workflows.demo.steps[0].foreach: expected a list, or a template that gives a list"],
  "a prerequisite without a message": ["5:9 workflows.demo.prerequisites[0].message: expected the message to show when the condition does not hold"],
  "a post step with an unknown action": ["6:31 workflows.demo.post.always[0].uses: unknown action \"slack.send\". The actions are ai.answer_threads, ai.ask, ai.fix_ci, ai.follow_up, ai.implement, ai.plan, ai.review, ai.self_review, docs.confluence.publish, docs.confluence.search, email.send, git.push, github.add_labels, github.comment, github.create_pull_request, github.create_sub_issues, github.delete_branch, jira.comment, jira.create_issue, jira.create_tasks, jira.transition, linear.comment, linear.create_issue, linear.create_tasks, linear.transition, shell.run, slack.post"],
  "an unknown post phase": ["6:7 workflows.demo.post.finally: unknown key; expected one of always, on_success, on_failure"],
  "a call to a missing workflow": ["5:24 workflows.demo.steps[0].uses: unknown workflow \"deploy\". The workflows are ask, demo, docs, fix_ci, follow_up, follow_up_new_pr, hotfix, implement, plan, review"],
  "a workflow calling itself": ["5:24 workflows.demo.steps[0].uses: workflow \"demo\" calls itself: demo → demo"],
  "two workflows calling each other": ["4:28 workflows.one.steps[0].uses: workflow \"one\" calls itself: one → two → one","6:28 workflows.two.steps[0].uses: workflow \"two\" calls itself: two → one → two"],
  "a cycle through a built-in workflow": ["4:28 workflows.plan.steps[0].uses: workflow \"plan\" calls itself: plan → ask → plan","6:28 workflows.ask.steps[0].uses: workflow \"ask\" calls itself: ask → plan → ask"],
  "an output template reading a missing step": ["5:29 workflows.demo.outputs.summary: no step \"b\" in this workflow"],
  "a YAML syntax error in a workflow": ["7:1 YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]"],
  "tabs for indentation": ["3:1 YAML does not allow tabs for indentation; indent with spaces"],
  "a duplicate workflow name": ["5:3 duplicate key \"demo\"; each key may appear once per mapping"],
  "a workflow label naming no workflow": ["4:15 triggers.workflow_labels.\"ai:fix\": unknown workflow \"hotfx\"; did you mean \"hotfix\"? The workflows are ask, docs, fix_ci, follow_up, follow_up_new_pr, hotfix, implement, plan, review"],
  "a workflow label that is the implement label": ["4:5 triggers.workflow_labels.\"ai:implement\": \"ai:implement\" is the implement label; pick another label for the hotfix workflow"],
  "an alias bomb": ["3:8 too many YAML aliases (*name): the file expands to more than 100 aliased values; write the values out or reuse fewer"],
  "an oversized file": ["1:1 the file is 71449 bytes; the limit is 65536 bytes (64 KiB)"],

};

describe("invalid configurations", () => {
  it("has at least 40 cases, each with its expected problems", () => {
    expect(INVALID_CASES.length).toBeGreaterThanOrEqual(40);
    expect(Object.keys(EXPECTED).sort()).toEqual(INVALID_CASES.map(([name]) => name).sort());
  });

  it.each(INVALID_CASES)("%s", (name, yaml) => {
    const result = parseRepoConfig(yaml);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    for (const problem of result.problems) expect(problem.file).toBe(REPO_CONFIG_PATH);
    expect(result.problems.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual(EXPECTED[name]);
  });
});
