import type { ActionContext } from "../../core/action.js";
import { UserFacingError } from "../../core/errors.js";
import type { VersionControl } from "../kinds/version-control.js";
import { githubVersionControl } from "./version-control.js";

/** The run's forge; a bare Octokit (the CLI, tests) is taken as the run's repository on GitHub. */
export function forge(context: ActionContext, action: string): VersionControl {
  const { versionControl, github } = context.services;
  if (versionControl) return versionControl;
  if (!github) throw new UserFacingError(`${action} needs a GitHub connection, and this run has none.`);
  return githubVersionControl(github, { owner: context.target.owner, repo: context.target.repo });
}
