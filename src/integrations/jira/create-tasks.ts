import { z } from "zod";
import { defineAction } from "../../core/action.js";
import { UserFacingError, publicMessage } from "../../core/errors.js";
import { planTasksInput } from "../../core/plan-tasks.js";
import type { TrackedTask } from "../kinds/task-tracker.js";
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
    const { runId, owner, repo, number } = context.target;
    const ids = input.tasks.map((_task, index) => `${runId}-${index}`);
    const existing = ids.length > 0 ? await tracker.findTasks(ids) : new Map<string, TrackedTask>();
    const created: TrackedTask[] = [];
    for (const [index, task] of input.tasks.entries()) {
      const id = ids[index]!;
      const description = `${task.details}\n\nFrom the plan of ${owner}/${repo}#${number}.`.trim();
      created.push(existing.get(id) ?? (await tracker.createTask(task.title.slice(0, MAX_SUMMARY), description, { type: input.type, id })));
    }
    return {
      keys: created.map((task) => task.key),
      urls: created.map((task) => task.url),
      // Model text, like every list a step makes: whatever posts it on GitHub neutralises it.
      list: created.map((task, index) => `${index + 1}. **${input.tasks[index]!.title}** — [${task.key}](${task.url})`).join("\n"),
    };
  },
  async compensate(_input, outputs, context) {
    const { tracker } = jira(context, NAME);
    const keys = Array.isArray(outputs.keys) ? outputs.keys.filter((key): key is string => typeof key === "string" && tracker.isKey(key)) : [];
    const kept: string[] = [];
    let reason = "";
    for (const key of keys) {
      try {
        await tracker.deleteTask(key);
      } catch (error) {
        kept.push(key);
        reason ||= error instanceof JiraError && error.status === 403 ? "the project does not let the app delete issues (Delete Issues permission)" : publicMessage(error);
      }
    }
    if (kept.length > 0) throw new UserFacingError(`Jira kept ${kept.join(", ")}: ${reason}; remove them by hand.`);
  },
});
