import { z } from "zod";

/**
 * A plan's steps as the tasks other steps open from them (`github.create_sub_issues`,
 * `jira.create_tasks`): `ai.plan` gives them as its `tasks` output. Each task a run opens is marked
 * with the run and the task's place in the list, so a re-run of the step (a retry, a resumed run)
 * finds the ones opened already instead of opening them again. A run's id is not known before the
 * run starts, so nobody else can have written its marker on an issue beforehand.
 */

export const planTaskSchema = z.strictObject({
  title: z.string().min(1, "a task needs a title"),
  details: z.string().default(""),
});
export type PlanTask = z.output<typeof planTaskSchema>;

/** The most tasks one step opens: GitHub takes at most 100 sub-issues of an issue. */
export const MAX_PLAN_TASKS = 100;

export const planTasksInput = z
  .array(planTaskSchema, "expected a list of tasks, each with a title and details, such as \"{{ steps.plan.outputs.tasks }}\"")
  .max(MAX_PLAN_TASKS, `expected at most ${MAX_PLAN_TASKS} tasks`)
  .describe("The tasks, each a title and details, such as \"{{ steps.plan.outputs.tasks }}\".");
