import { type ConfigSourceOptions, type RepoConfigResult, type RepoContentsClient, REPO_CONFIG_PATH, loadConfigChain, parseConfigText } from "../config/repo-config.js";
import type { WorkflowCheck } from "../config/repo-config.js";
import type { ActionLookup } from "../core/action.js";
import { type IntegrationSet, builtInIntegrations } from "../integrations/registry.js";
import { builtInActions } from "./actions/index.js";
import { effectiveWorkflows } from "./built-in.js";
import { checkWorkflowLabels, checkWorkflows } from "./validate.js";

/**
 * The repository configuration as the app and the CLI read it: the file's schema (config/) and its
 * workflows checked against the actions this server offers — the built-in ones unless a test or
 * service adds some.
 */

export function workflowCheck(actions: ActionLookup = builtInActions()): WorkflowCheck {
  return (config) => {
    const own = config.workflows;
    const effective = effectiveWorkflows(own);
    const { triggers } = config;
    return [...checkWorkflowLabels(triggers.workflow_labels, triggers.implement_label, effective), ...checkWorkflows(own, effective, actions)];
  };
}

/** `integrations`: whose settings the file may hold (and whose actions it may use); the server's own unless a test adds some. */
export function parseRepoConfig(text: string, file = REPO_CONFIG_PATH, actions?: ActionLookup, integrations: IntegrationSet = builtInIntegrations): RepoConfigResult {
  return parseConfigText(text, file, workflowCheck(actions ?? builtInActions(integrations)), integrations);
}

export function loadRepoConfig(
  octokit: RepoContentsClient,
  target: { owner: string; repo: string; ref: string },
  actions?: ActionLookup,
  sources: ConfigSourceOptions & { integrations?: IntegrationSet } = {},
): Promise<RepoConfigResult> {
  return loadConfigChain(octokit, target, workflowCheck(actions ?? builtInActions(sources.integrations)), sources);
}
