import { z } from "zod";
import { type ActionContext, type RegisteredAction, defineAction } from "../../core/action.js";
import { UserFacingError } from "../../core/errors.js";
import type { TaskTracker } from "../kinds/task-tracker.js";
import { linearCreateTasks } from "./create-tasks.js";
import { isLinearKey } from "./key.js";
import { linear } from "./run-tracker.js";

/**
 * Linear's operations as workflow actions, for workflows that call them explicitly:
 * `linear.comment`, `linear.transition`, `linear.create_issue`, and `linear.create_tasks`
 * (./create-tasks.ts). They use the server's API key and the repository's `notify.linear` (its
 * team), through the run's Linear tracker.
 */

/** The run's Linear issue (see findLinearKey), or the one given — which must be of the configured team too. */
function linearKey(context: ActionContext, given: string | undefined, action: string): { tracker: TaskTracker; key: string } {
  const { tracker, taskKey } = linear(context, action);
  if (given !== undefined && !tracker.isKey(given)) {
    throw new UserFacingError(`${action}: ${given} is not an issue of the Linear team ${tracker.project ?? ""} that notify.linear names.`);
  }
  const key = given ?? taskKey;
  if (!key) throw new UserFacingError(`${action}: no Linear issue is linked to this run; name one with the issue input.`);
  return { tracker, key };
}

const issueKey = z
  .string()
  .refine((key) => isLinearKey(key), 'expected a Linear issue identifier such as "ENG-123"')
  .describe("A Linear issue of the team notify.linear names, such as ENG-123; the run's Linear issue when absent.");

export const linearActions: readonly RegisteredAction[] = [
  defineAction({
    name: "linear.comment",
    description: "Comments on the run's Linear issue (or the one given).",
    input: z.strictObject({ body: z.string().min(1, "expected the comment").describe("The comment, shown as plain text; a template."), issue: issueKey.optional() }),
    outputs: { id: "the comment's id", issue: "the Linear issue identifier" },
    async run(input, context) {
      const { tracker, key } = linearKey(context, input.issue, "linear.comment");
      const comment = await tracker.comment(key, input.body);
      return { id: comment.id, issue: key };
    },
  }),
  defineAction({
    name: "linear.transition",
    description: "Moves the run's Linear issue (or the one given) to the team's workflow state of that name.",
    input: z.strictObject({
      to: z.string().min(1, 'expected a workflow state name, such as "In Review"').describe("The workflow state's name, as the team names it."),
      issue: issueKey.optional(),
    }),
    outputs: { issue: "the Linear issue identifier", moved: "whether the state existed" },
    async run(input, context) {
      const { tracker, key } = linearKey(context, input.issue, "linear.transition");
      const moved = await tracker.transition(key, input.to);
      if (!moved) throw new UserFacingError(`The Linear team of ${key} has no workflow state named "${input.to}".`);
      return { issue: key, moved };
    },
  }),
  defineAction({
    name: "linear.create_issue",
    description: "Creates a Linear issue in the team of notify.linear.",
    input: z.strictObject({
      title: z.string().min(1, "expected a title").describe("The new issue's title."),
      description: z.string().default("").describe("Its description, in Markdown."),
    }),
    outputs: { key: "the new issue's identifier", url: "its address" },
    async run(input, context) {
      const { tracker } = linear(context, "linear.create_issue");
      if (!tracker.project) throw new UserFacingError("linear.create_issue needs notify.linear.team.");
      const { key, url } = await tracker.createTask(input.title, input.description);
      return { key, url };
    },
  }),
  linearCreateTasks,
];
