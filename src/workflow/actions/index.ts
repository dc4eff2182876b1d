import { type IntegrationSet, builtInIntegrations } from "../../integrations/registry.js";
import { ActionRegistry } from "../action-registry.js";
import { aiAsk, aiFixCi, aiImplement, aiPlan, aiReview, gitPush } from "./agent.js";
import { aiAnswerThreads, aiFollowUp } from "./follow-up.js";
import { aiSelfReview } from "./self-review.js";
import { shellRun } from "./shell.js";

/** Every action a workflow can use on this server: the core's and each integration's (of `integrations`, the server's own unless a test composes others). */
export function builtInActions(integrations: IntegrationSet = builtInIntegrations): ActionRegistry {
  return new ActionRegistry([shellRun, aiPlan, aiImplement, aiSelfReview, aiFixCi, gitPush, aiReview, aiAsk, aiFollowUp, aiAnswerThreads, ...integrations.actions]);
}
