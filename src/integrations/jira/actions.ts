import { z } from "zod";
import { UserFacingError } from "../../core/errors.js";
import { type ActionContext, type RegisteredAction, defineAction } from "../../core/action.js";
import type { TaskTracker } from "../kinds/task-tracker.js";
import { jiraCreateTasks } from "./create-tasks.js";
import { jira } from "./run-tracker.js";
import { isJiraKey } from "./key.js";

/**
 * Jira's operations as workflow actions, for workflows that call them explicitly: `jira.comment`,
 * `jira.transition`, `jira.create_issue`, and `jira.create_tasks` (./create-tasks.ts). They use the
 * server's credentials and the repository's `notify.jira` (its project), through the run's Jira
 * tracker.
 */

/** The run's Jira issue (see findJiraKey), or the one given — which must be in the configured project too. */
function jiraKey(context: ActionContext, given: string | undefined, action: string): { tracker: TaskTracker; key: string } {
  const { tracker, taskKey } = jira(context, action);
  if (given !== undefined && !tracker.isKey(given)) {
    throw new UserFacingError(`${action}: ${given} is not an issue of the Jira project ${tracker.project ?? ""} that notify.jira names.`);
  }
  const key = given ?? taskKey;
  if (!key) throw new UserFacingError(`${action}: no Jira issue is linked to this run; name one with the issue input.`);
  return { tracker, key };
}

const issueKey = z
  .string()
  .refine((key) => isJiraKey(key), 'expected a Jira issue key such as "ABC-123"')
  .describe("A Jira issue of the project notify.jira names, such as ABC-123; the run's Jira issue when absent.");

export const jiraActions: readonly RegisteredAction[] = [
  defineAction({
    name: "jira.comment",
    description: "Comments on the run's Jira issue (or the one given).",
    input: z.strictObject({ body: z.string().min(1, "expected the comment").describe("The comment; a template."), issue: issueKey.optional() }),
    outputs: { id: "the comment's id", issue: "the Jira issue key" },
    async run(input, context) {
      const { tracker, key } = jiraKey(context, input.issue, "jira.comment");
      const comment = await tracker.comment(key, input.body);
      return { id: comment.id, issue: key };
    },
  }),
  defineAction({
    name: "jira.transition",
    description: "Moves the run's Jira issue (or the one given) through the transition of that name.",
    input: z.strictObject({ to: z.string().min(1, 'expected a transition name, such as "In Review"').describe("The transition's name, as the issue's Jira workflow shows it."), issue: issueKey.optional() }),
    outputs: { issue: "the Jira issue key", moved: "whether the transition existed" },
    async run(input, context) {
      const { tracker, key } = jiraKey(context, input.issue, "jira.transition");
      const moved = await tracker.transition(key, input.to);
      if (!moved) throw new UserFacingError(`Jira issue ${key} has no transition named "${input.to}" from its current status.`);
      return { issue: key, moved };
    },
  }),
  defineAction({
    name: "jira.create_issue",
    description: "Creates a Jira issue in the project of notify.jira.",
    input: z.strictObject({
      summary: z.string().min(1, "expected a summary").describe("The new issue's summary."),
      description: z.string().default("").describe("Its description."),
      type: z.string().default("Task").describe("Its issue type, as the project names it."),
    }),
    outputs: { key: "the new issue's key", url: "its address" },
    async run(input, context) {
      const { tracker } = jira(context, "jira.create_issue");
      if (!tracker.project) throw new UserFacingError("jira.create_issue needs notify.jira.project.");
      const { key, url } = await tracker.createTask(input.summary, input.description, { type: input.type });
      return { key, url };
    },
  }),
  jiraCreateTasks,
];
