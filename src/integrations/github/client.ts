import type { ProbotOctokit } from "probot";
import type { TokenScope } from "./token-scope.js";

/** An installation-authenticated Octokit: what jobs and actions use to talk to GitHub. */
export type GitHubClient = InstanceType<typeof ProbotOctokit>;

/**
 * Gives an Octokit for an installation; the worker builds these without a webhook context. With a
 * scope, its tokens open that one repository with those permissions only.
 */
export type GitHubClientFactory = (installationId: number, scope?: TokenScope) => Promise<GitHubClient>;

/** GitHub's errors carry the HTTP status; anything else has none. */
export function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}
