import type { RunTask } from "../../core/run.js";

/**
 * What an installation token may do, per use: the run's repository alone, and the permissions its
 * task needs. A token that leaks from a review (read-only contents) cannot push, and none reaches
 * the installation's other repositories.
 */
export type Permission = "read" | "write";
export interface TokenScope {
  /** The repository's name (without the owner): the only one the token opens. */
  repo: string;
  permissions: Record<string, Permission>;
}

export const TASK_PERMISSIONS: Record<RunTask | "intake", Record<string, Permission>> = {
  // Reads the config and the pull request, reacts and replies.
  intake: { metadata: "read", contents: "read", issues: "write", pull_requests: "read" },
  // Pushes its branch, opens the pull request, keeps its tracking comment.
  implement: { metadata: "read", contents: "write", issues: "write", pull_requests: "write" },
  // Posts the plan and, when asked, sub-issues.
  plan: { metadata: "read", contents: "read", issues: "write" },
  // One review, its summary comment and the check run.
  review: { metadata: "read", contents: "read", issues: "write", pull_requests: "write", checks: "write" },
  // One reply, with the diff as context.
  ask: { metadata: "read", contents: "read", issues: "write", pull_requests: "read" },
  // Pushes to the pull request's branch, replies in and resolves its threads, reads and re-runs its checks.
  follow_up: { metadata: "read", contents: "write", issues: "write", pull_requests: "write", checks: "read", actions: "write" },
};

export function tokenScope(repo: string, use: RunTask | "intake"): TokenScope {
  return { repo, permissions: { ...TASK_PERMISSIONS[use] } };
}

/** Reads another repository's configuration file: the organisation's `.github`, an `_extends` target. */
export function configReadScope(repo: string): TokenScope {
  return { repo, permissions: { metadata: "read", contents: "read" } };
}

/** The intake's look at a failed check: the head's check runs and job logs, and a re-run of flaky jobs. */
export function checksReadScope(repo: string): TokenScope {
  return { repo, permissions: { metadata: "read", checks: "read", actions: "write" } };
}
