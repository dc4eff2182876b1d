import type { RunSnapshot } from "./run.js";

/**
 * A trigger request: who asked for what, where, as the webhook said it. The webhook layer makes
 * them, the configuration names their commands and events, the queue carries them to the intake
 * job; the types live here so none of those imports another for them.
 */

export const commandNames = ["plan", "implement", "review", "ask", "fix-ci", "stop", "status", "help"] as const;
export type CommandName = (typeof commandNames)[number];

/**
 * A command from a comment: `/ai <name> <args>`, or `@<name> …` (`mention`: whom the line addresses;
 * it counts only when that is the app). A first word that names no command is `unknown`, and `text`
 * is all that was written after `/ai`: on a pull request the app opened, that is a request to act on.
 */
export type SlashCommand =
  | { kind: "command"; name: CommandName; args: string; mention?: string }
  | { kind: "unknown"; name: string; text: string; mention?: string };

/** The conclusions of a check the CI autopilot fixes; the rest (success, neutral, skipped, cancelled…) it leaves alone. */
export const failedCheckConclusions: readonly string[] = ["failure", "timed_out"];

export const reviewActions = ["opened", "reopened", "ready_for_review", "synchronize"] as const;
export type ReviewAction = (typeof reviewActions)[number];

export type TriggerDetail =
  | { type: "label"; label: string }
  | { type: "command"; commentId: number; command: SlashCommand }
  /** The head and base are not taken from here: the intake job reads the pull request as it is now. */
  | { type: "pull_request"; action: ReviewAction; draft: boolean; author: string }
  /** A review submitted on a pull request: with comments or changes requested, a follow-up on a PR the app opened. */
  | { type: "review"; reviewId: number; state: string }
  /**
   * A check suite or check run completed with a failure on a pull request's head: the CI autopilot
   * looks at it on a PR the app opened. `appId` is the app that made the check (ours are never
   * fixed); `name` is the check run's, absent for a suite.
   */
  | { type: "check"; event: "check_suite" | "check_run"; id: number; headSha: string; conclusion: string | null; appId?: number; name?: string };

export interface TriggerRequest {
  deliveryId: string;
  installationId: number;
  owner: string;
  repo: string;
  defaultBranch: string;
  number: number;
  /** Whether the issue or comment thread belongs to a pull request. */
  isPullRequest: boolean;
  title?: string;
  /** The issue or pull request on GitHub. */
  url?: string;
  sender: { login: string; type: string };
  detail: TriggerDetail;
  /** The or pull request's text as of the event, and when the event happened. */
  snapshot?: RunSnapshot;
}
