import type { ActionContext } from "../../core/action.js";
import { UserFacingError } from "../../core/errors.js";
import type { TaskTracker } from "../kinds/task-tracker.js";

/** The run's Linear tracker and the run's Linear issue, if any, for the linear.* actions. */
export function linear(context: ActionContext, action: string): { tracker: TaskTracker; taskKey: string | undefined } {
  const connected = context.services.integrations;
  if (!connected) throw new UserFacingError(`${action} needs the status mirrors, and this run has none.`);
  const tracker = connected.linear?.tracker;
  if (!tracker) throw new UserFacingError(`${action} needs LINEAR_API_KEY on the server.`);
  return { tracker, taskKey: connected.linear?.taskKey };
}
