import { z } from "zod";
import { defineAction } from "../../core/action.js";
import { UserFacingError, publicMessage } from "../../core/errors.js";
import { planTasksInput } from "../../core/plan-tasks.js";
import { deletePlanTasks, openPlanTasks } from "../kinds/tracker-tasks.js";
import { JiraError } from "./client.js";
import { jira } from "./run-tracker.js";

/**
 * `jira.create_tasks`: a plan's tasks as issues of the project `notify.jira` names. Each carries a
 * label naming the run and the task's place (`ai-agent-<run>-<index>`), and the project is searched
 * for those labels first, so a step that failed after creating two of four, retried or resumed,
 * creates the other two and no duplicate. (Jira's search can lag a few seconds behind an issue
 * just created; a retry comes later than that.)
 *
 * A rollback deletes the tasks it created. Deleting needs the project's Delete Issues permission,
 * which many projects keep from their integrations: then the tasks stay, and the rollback fails
 * naming them, which the run records on the step, so a person knows what to remove by hand.
 */

const NAME = "jira.create_tasks";
/** Jira's longest summary. */
const MAX_SUMMARY = 255;

export const jiraCreateTasks = defineAction({
  name: NAME,
  description: "Creates each task as an issue of the project of notify.jira; a re-run finds the ones it created, and a rollback deletes them.",
  input: z.strictObject({
    tasks: planTasksInput,
    type: z.string().min(1).default("Task").describe("The issues' type, as the project names it."),
  }),
  outputs: {
    keys: 'the Jira issues, one per task, a list such as ["ABC-12", "ABC-13"]',
    urls: "their addresses, a list",
    list: "a Markdown list of the tasks, each with its Jira issue",
  },
  async run(input, context) {
    const { tracker } = jira(context, NAME);
    if (!tracker.project) throw new UserFacingError(`${NAME} needs notify.jira.project.`);
    return openPlanTasks(tracker, input.tasks, context.target, { maxTitle: MAX_SUMMARY, create: { type: input.type } });
  },
  async compensate(_input, outputs, context) {
    const { kept, reason } = await deletePlanTasks(jira(context, NAME).tracker, outputs, (error) =>
      error instanceof JiraError && error.status === 403 ? "the project does not let the app delete issues (Delete Issues permission)" : publicMessage(error),
    );
    if (kept.length > 0) throw new UserFacingError(`Jira kept ${kept.join(", ")}: ${reason}; remove them by hand.`);
  },
});
