import { z } from "zod";
import { defineAction } from "../../core/action.js";
import { UserFacingError } from "../../core/errors.js";
import { planTasksInput } from "../../core/plan-tasks.js";
import type { SubIssue } from "../kinds/version-control.js";
import { forge } from "./forge.js";
import { neutralizeForGitHub, neutralizeTitleForGitHub } from "./safe-markdown.js";

/**
 * `github.create_sub_issues`: a plan's tasks as sub-issues of the issue. Each issue's body ends
 * with a hidden marker naming the run and the task's place, and the parent's sub-issues are read
 * first: a step that failed after opening two of four, retried or resumed, opens the other two and
 * no duplicate. A rollback closes them as not planned; only issues with this run's marker are
 * ever in its outputs, so nothing someone else opened is closed.
 */

const NAME = "github.create_sub_issues";
/** GitHub's longest issue title. */
const MAX_TITLE = 256;

export function subIssueMarker(runId: string, index: number): string {
  return `<!-- ai-agent:plan-task run=${runId} index=${index} -->`;
}

export const githubCreateSubIssues = defineAction({
  name: NAME,
  description: "Opens each task as a sub-issue of the run's issue (or the one given); a re-run finds the ones it opened, and a rollback closes them as not planned.",
  input: z.strictObject({
    tasks: planTasksInput,
    parent: z.number().int().positive().optional().describe("The issue the sub-issues belong to; the run's when absent."),
  }),
  outputs: {
    issues: 'the sub-issues, one per task, a list such as ["#12", "#13"]',
    urls: "their addresses, a list",
    list: "a Markdown list of the tasks, each with its sub-issue",
  },
  async run(input, context) {
    const vcs = forge(context, NAME);
    if (!vcs.supports("sub-issues")) throw new UserFacingError(`${NAME}: the run's forge has no sub-issues.`);
    const parent = input.parent ?? context.target.number;
    const requester = { requester: context.target.actor };
    const existing = input.tasks.length > 0 ? await vcs.subIssues(parent) : [];
    const opened: { title: string; issue: SubIssue }[] = [];
    for (const [index, task] of input.tasks.entries()) {
      const marker = subIssueMarker(context.target.runId, index);
      const title = neutralizeTitleForGitHub(task.title, requester).slice(0, MAX_TITLE);
      // The marker goes after the neutralising, which would show it as text.
      const body = `${neutralizeForGitHub(`${task.details}\n\nPart of #${parent}.`.trim(), requester)}\n\n${marker}`;
      const issue = existing.find((sub) => sub.body.includes(marker)) ?? (await vcs.createSubIssue(parent, { title, body }));
      opened.push({ title, issue });
    }
    return {
      issues: opened.map(({ issue }) => `#${issue.number}`),
      urls: opened.map(({ issue }) => issue.url),
      list: opened.map(({ title, issue }, index) => `${index + 1}. **${neutralizeForGitHub(title, requester)}** — #${issue.number}`).join("\n"),
    };
  },
  async compensate(_input, outputs, context) {
    const vcs = forge(context, NAME);
    const issues = Array.isArray(outputs.issues) ? outputs.issues : [];
    for (const issue of issues) {
      const number = typeof issue === "string" ? Number(issue.replace(/^#/, "")) : NaN;
      if (Number.isSafeInteger(number) && number > 0) await vcs.closeIssue(number, "not_planned");
    }
  },
});
