import { publicMessage } from "../../core/errors.js";
import type { PlanTask } from "../../core/plan-tasks.js";
import type { TaskTracker, TrackedTask } from "./task-tracker.js";

/**
 * A plan's tasks opened in a task tracker (`jira.create_tasks`, `linear.create_tasks`), whichever
 * it is: each task's id names the run and its place, the tracker is asked for those ids first, and
 * only the missing ones are created, so a retried or resumed step makes no duplicate. A rollback
 * deletes them, and names the ones the tracker kept.
 */

export interface OpenedTasks extends Record<string, unknown> {
  keys: string[];
  urls: string[];
  list: string;
}

export async function openPlanTasks(
  tracker: Pick<TaskTracker, "findTasks" | "createTask">,
  tasks: readonly PlanTask[],
  target: { runId: string; owner: string; repo: string; number: number },
  options: { maxTitle: number; create: { type?: string; parent?: string } },
): Promise<OpenedTasks> {
  const ids = tasks.map((_task, index) => `${target.runId}-${index}`);
  const existing = ids.length > 0 ? await tracker.findTasks(ids) : new Map<string, TrackedTask>();
  const created: TrackedTask[] = [];
  for (const [index, task] of tasks.entries()) {
    const id = ids[index]!;
    const description = `${task.details}\n\nFrom the plan of ${target.owner}/${target.repo}#${target.number}.`.trim();
    created.push(existing.get(id) ?? (await tracker.createTask(task.title.slice(0, options.maxTitle), description, { ...options.create, id })));
  }
  return {
    keys: created.map((task) => task.key),
    urls: created.map((task) => task.url),
    // Model text, like every list a step makes: whatever posts it on GitHub neutralises it.
    list: created.map((task, index) => `${index + 1}. **${tasks[index]!.title}** — [${task.key}](${task.url})`).join("\n"),
  };
}

/**
 * Deletes the tasks a step's outputs name (only keys of the tracker's own form); resolves to the
 * keys it could not delete and the first reason, in `reasonOf`'s words.
 */
export async function deletePlanTasks(
  tracker: Pick<TaskTracker, "isKey" | "deleteTask">,
  outputs: Record<string, unknown>,
  reasonOf: (error: unknown) => string = publicMessage,
): Promise<{ kept: string[]; reason: string }> {
  const keys = Array.isArray(outputs.keys) ? outputs.keys.filter((key): key is string => typeof key === "string" && tracker.isKey(key)) : [];
  const kept: string[] = [];
  let reason = "";
  for (const key of keys) {
    try {
      await tracker.deleteTask(key);
    } catch (error) {
      kept.push(key);
      reason ||= reasonOf(error);
    }
  }
  return { kept, reason };
}
