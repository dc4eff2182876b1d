import { ActionRegistry } from "../action-registry.js";
import { aiAsk, aiImplement, aiPlan, aiReview, gitPush } from "./agent.js";
import { githubAddLabels, githubComment, githubCreatePullRequest, githubDeleteBranch } from "./github.js";
import { notifyActions } from "./notify.js";
import { shellRun } from "./shell.js";

/** Every action a workflow can use on this server. */
export function builtInActions(): ActionRegistry {
  return new ActionRegistry([shellRun, githubComment, githubAddLabels, githubCreatePullRequest, githubDeleteBranch, aiPlan, aiImplement, gitPush, aiReview, aiAsk, ...notifyActions]);
}
