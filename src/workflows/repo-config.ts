import { type ConfigSourceOptions, type RepoConfigResult, type RepoContentsClient, REPO_CONFIG_PATH, loadConfigChain, parseConfigText } from "../config/repo-config.js";
import type { WorkflowCheck } from "../config/repo-config.js";
import type { ActionLookup } from "../core/action.js";
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

export function parseRepoConfig(text: string, file = REPO_CONFIG_PATH, actions?: ActionLookup): RepoConfigResult {
  return parseConfigText(text, file, workflowCheck(actions));
}

export function loadRepoConfig(
  octokit: RepoContentsClient,
  target: { owner: string; repo: string; ref: string },
  actions?: ActionLookup,
  sources: ConfigSourceOptions = {},
): Promise<RepoConfigResult> {
  return loadConfigChain(octokit, target, workflowCheck(actions), sources);
}
