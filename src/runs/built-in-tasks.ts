import type { TaskRegistry } from "./tasks.js";

/**
 * The code behind each task. Empty until the workflow engine and the agent land: until then a run
 * of any task finishes as failed with a message saying that workflow is not available yet, so
 * triggers, permissions, tracking and stop can already be used and tested end to end.
 */
export const builtInTasks: TaskRegistry = {};
