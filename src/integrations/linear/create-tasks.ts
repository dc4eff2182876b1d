import { z } from "zod";
import { defineAction } from "../../core/action.js";
import { UserFacingError } from "../../core/errors.js";
import { planTasksInput } from "../../core/plan-tasks.js";
import { deletePlanTasks, openPlanTasks } from "../kinds/tracker-tasks.js";
import { linear } from "./run-tracker.js";

/**
 * `linear.create_tasks`: a plan's tasks as Linear issues of the team `notify.linear` names,
 * sub-issues of the run's Linear issue when it has one. Each carries a marker naming the run and
 * the task's place (`[ai-agent-task:<run>-<index>]`) at the end of its description, and the team
 * is searched for those markers first, so a step that failed after creating two of four, retried
 * or resumed, creates the other two and no duplicate. A rollback moves the ones it created to
 * Linear's trash.
 */

const NAME = "linear.create_tasks";
/** Linear's longest issue title. */
const MAX_TITLE = 255;

export const linearCreateTasks = defineAction({
  name: NAME,
  description: "Creates each task as a Linear issue of the team of notify.linear, a sub-issue of the run's Linear issue if any; a re-run finds the ones it created, and a rollback deletes them.",
  input: z.strictObject({ tasks: planTasksInput }),
  outputs: {
    keys: 'the Linear issues, one per task, a list such as ["ENG-12", "ENG-13"]',
    urls: "their addresses, a list",
    list: "a Markdown list of the tasks, each with its Linear issue",
  },
  async run(input, context) {
    const { tracker, taskKey } = linear(context, NAME);
    if (!tracker.project) throw new UserFacingError(`${NAME} needs notify.linear.team.`);
    return openPlanTasks(tracker, input.tasks, context.target, { maxTitle: MAX_TITLE, create: taskKey ? { parent: taskKey } : {} });
  },
  async compensate(_input, outputs, context) {
    const { kept, reason } = await deletePlanTasks(linear(context, NAME).tracker, outputs);
    if (kept.length > 0) throw new UserFacingError(`Linear kept ${kept.join(", ")}: ${reason}; remove them by hand.`);
  },
});
