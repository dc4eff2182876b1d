import type { ActionContext } from "../../core/action.js";
import { UserFacingError } from "../../core/errors.js";
import type { TaskTracker } from "../kinds/task-tracker.js";

/** The run's Jira tracker and the run's Jira issue, if any, for the jira.* actions. */
export function jira(context: ActionContext, action: string): { tracker: TaskTracker; taskKey: string | undefined } {
  const connected = context.services.integrations;
  if (!connected) throw new UserFacingError(`${action} needs the status mirrors, and this run has none.`);
  const tracker = connected.jira?.tracker;
  if (!tracker) throw new UserFacingError(`${action} needs JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN on the server.`);
  return { tracker, taskKey: connected.jira?.taskKey };
}
