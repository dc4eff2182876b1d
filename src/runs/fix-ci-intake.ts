import { createHash } from "node:crypto";
import { type ChangeRequest, type RunBasis, activeRunStatuses, headInFork } from "../core/run.js";
import type { TriggerRequest } from "../core/trigger.js";
import type { GitHubClientFactory } from "../integrations/github/client.js";
import { failingCheckDetails, failingChecksOn, rerunFailedJobs } from "../integrations/github/checks.js";
import { checksReadScope } from "../integrations/github/token-scope.js";
import type { VersionControl } from "../integrations/kinds/version-control.js";
import type { Store } from "../store/types.js";
import { allLookFlaky } from "../triggers/flaky.js";
import * as replies from "../triggers/replies.js";
import type { CheckFacts } from "../triggers/route-check.js";
import { type Admission, type AdmissionDeps, type RateGate, admitRun } from "./admission.js";

/**
 * The intake's part of the CI autopilot: the facts a failed check is routed on (the attempts so far
 * are the fix_ci runs in the store), the re-run of a failure that looks flaky before any model call,
 * the queueing of a fix, and the one notice when the attempts are spent.
 */

export interface FixCiDeps extends AdmissionDeps {
  github: GitHubClientFactory;
}

/** The workflow a CI fix runs: one `follow_up` task for all work on a pull request's branch. */
export const FIX_CI_WORKFLOW = "fix_ci";

export async function checkFacts(store: Store, repo: string, pull: ChangeRequest): Promise<CheckFacts> {
  const runs = await store.listRuns({ repo, number: pull.number });
  // A run cancelled before it started spent nothing; every other fix run counts as an attempt.
  const fixes = runs.filter((run) => run.task === "follow_up" && run.workflow === FIX_CI_WORKFLOW && run.status !== "cancelled");
  return {
    pull,
    attempts: { count: fixes.length, heads: fixes.flatMap((run) => (run.basis?.change ? [run.basis.change.head.sha] : [])) },
    busy: runs.some((run) => run.task === "follow_up" && activeRunStatuses.includes(run.status)),
  };
}

/**
 * A fix asked for by a failed check or by `/ai fix-ci`. For a check, the head's failing checks are
 * read first: when every one looks flaky and this head was not re-run before, their Actions jobs are
 * re-run and nothing else happens — a second failure on the same head is fixed.
 */
export async function admitFixCi(
  request: TriggerRequest,
  asked: { trigger: "check" | "command"; input?: string | undefined },
  basis: RunBasis & { change: ChangeRequest },
  context: { deps: FixCiDeps; rate: RateGate; botLogin: string | undefined },
): Promise<Admission> {
  const { deps } = context;
  const fullName = `${request.owner}/${request.repo}`;
  const pull = basis.change;
  const { trigger } = asked;
  if (trigger === "command") {
    if (headInFork(pull, fullName)) return { result: "reply", reason: "fork", text: replies.forkFixText() };
    return admitRun(request, { task: "follow_up", trigger, workflow: FIX_CI_WORKFLOW, input: asked.input, basis }, deps, context.rate);
  }

  const octokit = await deps.github(request.installationId, checksReadScope(request.repo));
  const where = { owner: request.owner, repo: request.repo };
  const sha = pull.head.sha;
  const failing = await failingChecksOn(octokit, where, sha, context.botLogin?.replace(/\[bot\]$/, ""));
  if (failing.length === 0) return { result: "ignored", reason: "no check fails on the head now (re-run or passed since)" };
  const details = await failingCheckDetails(octokit, where, failing);
  if (allLookFlaky(details)) {
    // A suite and its runs tell of one failure several times: it is re-run, or fixed, once.
    const ids = details.map((check) => check.id).sort((a, b) => a - b).join(",");
    const failure = createHash("sha256").update(ids).digest("hex").slice(0, 16);
    if (!(await deps.store.claimNotice(`fix-ci:failure:${fullName}:${sha}:${failure}`))) return { result: "ignored", reason: "this failure was already handled" };
    if (await deps.store.claimNotice(`fix-ci:rerun:${fullName}:${sha}`)) {
      const reran = await rerunFailedJobs(octokit, where, details);
      if (reran.length > 0) {
        deps.log.info({ repo: fullName, number: pull.number, sha, runs: reran }, "flaky checks re-run");
        return { result: "ignored", reason: `the failure looks flaky: re-ran Actions run ${reran.join(", ")}` };
      }
    }
  }
  // No rate limit here: nobody asked, and max_attempts bounds the runs a pull request's checks start.
  const admission = await admitRun(request, { task: "follow_up", trigger, workflow: FIX_CI_WORKFLOW, basis }, deps, () => Promise.resolve(undefined));
  // A follow-up that won a race is the one at work on the branch; a check has no one to reply to.
  return admission.result === "reply" ? { result: "ignored", reason: admission.reason } : admission;
}

/** The attempts are spent: the label and one comment saying so, per number of attempts, then silence. */
export async function fixAttemptsSpent(
  request: TriggerRequest,
  spent: { attempts: number; label: string },
  forge: Pick<VersionControl, "addLabels" | "comment">,
  store: Store,
): Promise<{ result: "ignored" | "replied"; reason: string }> {
  const key = `fix-ci:spent:${request.owner}/${request.repo}#${request.number}:${spent.attempts}`;
  if (!(await store.claimNotice(key))) return { result: "ignored", reason: "fix attempts spent (already told)" };
  await forge.addLabels(request.number, [spent.label]);
  await forge.comment(request.number, replies.fixAttemptsSpentText(spent.attempts, spent.label));
  return { result: "replied", reason: "fix attempts spent" };
}
