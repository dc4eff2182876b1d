import type { CodingRun } from "../agent/coding-tools.js";
import { UserFacingError } from "../core/errors.js";
import { type Severity, atLeast } from "../core/severity.js";
import { reviewWorkspace } from "./local-review.js";
import { fixFindings, selfReviewSubject } from "./self-fix.js";
import { type Outcome, resumedSection, selfReviewSection } from "./self-review-section.js";

/**
 * `ai.self_review`: the reviewer on the agent's own change, before its pull request opens, and the
 * agent on what the reviewer found at or above the severity (`agent.self_review_severity`), once,
 * in the same workspace and within the run's budget. Nothing is posted: the outputs give the pull
 * request its "Self-review" section.
 */

export interface SelfReviewInput {
  /** The branch ai.implement committed on. */
  branch: string;
  severity?: Severity | undefined;
  max_turns?: number | undefined;
}

export interface SelfReviewOutputs {
  /** How many findings the reviewer made. */
  findings: number;
  /** How many of them the fix commit addressed. */
  addressed: number;
  /** Whether a fix commit was pushed. */
  changed: boolean;
  /** The branch's head after the step. */
  sha: string | null;
  section: string;
  [key: string]: unknown;
}

export async function selfReview(session: CodingRun, input: SelfReviewInput, signal?: AbortSignal): Promise<SelfReviewOutputs> {
  const { config, target } = session;
  const severity = input.severity ?? config.agent.self_review_severity;
  // The workspace ai.implement left; a run resumed on another worker prepares it from the pushed branch.
  const current = session.workspace.current();
  const workspace = current?.branch === input.branch ? current : await session.workspace.workspace(input.branch);
  if (workspace !== current && !workspace.reusedBranch) throw new UserFacingError(`The branch ${input.branch} is not on the remote, so there is no change to review; start the run again.`);

  const commits = await workspace.commits();
  const head = commits.at(-1)?.sha ?? null;
  // Resumed after the fix was pushed but before the step was recorded: no second review or fix.
  const pushed = commits.find((commit) => commit.subject === selfReviewSubject(target.number));
  if (pushed) return { findings: 0, addressed: 0, changed: true, sha: head, section: resumedSection(pushed.sha, target.actor) };

  const issue = await session.source.issue();
  const review = await reviewWorkspace(session, workspace, issue, signal);
  const due = review.findings.filter((finding) => atLeast(finding.severity, severity));
  const outcomes = new Map<number, Outcome>();
  let sha = head;
  let changed = false;
  if (due.length > 0) {
    const fix = await fixFindings(session, workspace, { issue, findings: due, maxTurns: input.max_turns ?? config.agent.max_turns }, signal);
    due.forEach((_, i) => {
      const reason = fix.left.get(i + 1);
      outcomes.set(i, fix.sha && reason === undefined ? { kind: "fixed", sha: fix.sha } : { kind: "left", reason: reason || fix.nothing || "" });
    });
    if (fix.sha) [sha, changed] = [fix.sha, true];
  }
  const listed = review.findings.map((finding) => {
    const index = due.indexOf(finding);
    return { finding, outcome: index === -1 ? ({ kind: "below" } as const) : outcomes.get(index)! };
  });
  const addressed = listed.filter((entry) => entry.outcome.kind === "fixed").length;
  const section = selfReviewSection({ findings: listed, severity, skipped: review.skipped, requester: target.actor });
  return { findings: review.findings.length, addressed, changed, sha, section };
}
