import { type ChangeRequest, headInFork, openedBy } from "../core/run.js";
import { type TriggerDetail, type TriggerRequest, failedCheckConclusions } from "../core/trigger.js";
import type { RepoConfig } from "../config/repo-config.js";

/**
 * Whether a failed check on a pull request starts a CI fix: pure, so each branch is a row of a
 * table test. The autopilot looks only at pull requests the app opened — a person's pull request
 * is theirs to fix unless they ask (`/ai fix-ci`) — only at their current head, and only a few
 * times per pull request (`agent.fix_ci.max_attempts`), after which a person is called.
 */

type CheckDetail = Extract<TriggerDetail, { type: "check" }>;

/** What the intake reads for a check before routing it. */
export interface CheckFacts {
  /** The pull request as GitHub has it now. */
  pull: ChangeRequest;
  /** The CI fix runs on this pull request so far (workflow fix_ci), and the heads they were accepted on. */
  attempts: { count: number; heads: readonly string[] };
  /** Whether a follow-up run (a fix or other work on the branch) is queued or running on it. */
  busy: boolean;
}

export type CheckDecision =
  | { kind: "ignore"; reason: string }
  | { kind: "need"; fact: "check" }
  | { kind: "fix_ci"; trigger: "check" }
  /** The attempts are spent: label the pull request and say so, once. */
  | { kind: "fix_ci_spent"; attempts: number; label: string };

export function routeCheck(request: TriggerRequest, detail: CheckDetail, config: RepoConfig, botLogin: string | undefined, facts: CheckFacts | undefined): CheckDecision {
  const settings = config.agent.fix_ci;
  if (!settings.enabled) return { kind: "ignore", reason: "agent.fix_ci is off" };
  if (!failedCheckConclusions.includes(detail.conclusion ?? "")) return { kind: "ignore", reason: "the check did not fail" };
  if (botLogin === undefined) return { kind: "ignore", reason: "the app's login is unknown" };
  if (!facts) return { kind: "need", fact: "check" };
  const { pull } = facts;
  if (!openedBy(pull, botLogin)) return { kind: "ignore", reason: "not a pull request the app opened" };
  if (pull.state !== "open") return { kind: "ignore", reason: "the pull request is closed" };
  if (headInFork(pull, `${request.owner}/${request.repo}`)) return { kind: "ignore", reason: "the pull request's branch is in a fork" };
  if (pull.head.sha !== detail.headSha) return { kind: "ignore", reason: "the head moved on since the check ran" };
  // One run on the branch at a time; the check that fails after it is the next attempt.
  if (facts.busy) return { kind: "ignore", reason: "a follow-up run is active on the pull request" };
  if (facts.attempts.count >= settings.max_attempts) return { kind: "fix_ci_spent", attempts: facts.attempts.count, label: settings.label };
  // A suite and each of its runs report the same failure: a head is worked on once.
  if (facts.attempts.heads.includes(detail.headSha)) return { kind: "ignore", reason: "this head was already worked on" };
  return { kind: "fix_ci", trigger: "check" };
}
