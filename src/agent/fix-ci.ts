import { headInFork } from "../core/run.js";
import { UserFacingError } from "../core/errors.js";
import type { GitHubClient } from "../integrations/github/client.js";
import { type FailingCheck, failingCheckDetails, failingChecksOn } from "../integrations/github/checks.js";
import type { CodingRun } from "./coding-tools.js";
import { workOnBranch } from "./on-branch.js";
import { renderPrompt } from "./prompts.js";
import { sanitize } from "./sanitize.js";

/**
 * `ai.fix_ci`: the coding agent on a pull request's branch, told what its failing checks said —
 * their output, annotations and the end of the failed jobs' logs — to make them pass with commits on
 * top. A head that moved on since the failure (someone pushed) is left alone: the checks of the new
 * head tell whether anything is left to fix.
 */

export interface FixCiInput {
  instructions?: string | undefined;
  max_turns?: number | undefined;
}

export interface FixCiOutputs {
  branch: string;
  changed: boolean;
  summary: string;
  /** The failing checks' names, as their apps named them. */
  checks: string[];
  files_changed: string[];
  /** The pushed commit; absent when nothing changed. */
  sha?: string;
  [key: string]: unknown;
}

/** The closing tags of the prompt's own blocks, defused in what a check wrote, so no check ends its block early. */
const BLOCK_END = /<\/(checks?|log)\b/gi;

/** A check's words as the model may read them: what does not render removed, its block kept whole. */
function untrusted(text: string): string {
  return sanitize(text).replace(BLOCK_END, "<\\/$1");
}

/** A value for an attribute of a prompt tag: one line, no quotes or angle brackets. */
function attribute(text: string): string {
  return untrusted(text).replace(/["<>\n\r]/g, " ").slice(0, 200);
}

function promptChecks(checks: readonly FailingCheck[]) {
  return checks.map((check) => ({
    name: attribute(check.name),
    conclusion: attribute(check.conclusion ?? "failure"),
    title: untrusted(check.title),
    summary: untrusted(check.summary),
    text: untrusted(check.text),
    annotations: check.annotations.map((a) => ({ path: attribute(a.path), line: a.line, level: attribute(a.level), title: untrusted(a.title), message: untrusted(a.message) })),
    log: untrusted(check.logTail),
  }));
}

export async function fixCi(session: CodingRun, github: GitHubClient, input: FixCiInput, signal?: AbortSignal): Promise<FixCiOutputs> {
  const { target } = session;
  const forge = session.source.versionControl;
  if (!forge) throw new UserFacingError("ai.fix_ci needs the pull request's forge, and this run has none.");
  const pull = await forge.changeRequest(target.number);
  const nothing = (summary: string, checks: string[] = []): FixCiOutputs => ({ branch: pull.head.ref, changed: false, summary, checks, files_changed: [] });
  if (headInFork(pull, `${target.owner}/${target.repo}`)) throw new UserFacingError(`The branch of pull request #${pull.number} is in a fork (${pull.head.repo ?? "deleted"}), which the app cannot push to.`);
  // The failure was seen on the head the run was accepted on; a push since makes it someone else's.
  const accepted = target.change?.head.sha;
  if (accepted && pull.head.sha !== accepted) return nothing(`The head moved on since the checks failed (${accepted.slice(0, 7)} → ${pull.head.sha.slice(0, 7)}), so there is nothing to fix here; the new head's checks will tell.`);

  const where = { owner: target.owner, repo: target.repo };
  const ourSlug = (await session.source.committer()).name.replace(/\[bot\]$/, "");
  const failing = await failingChecksOn(github, where, pull.head.sha, ourSlug);
  if (failing.length === 0) return nothing("No check fails on the head any more, so there is nothing to fix.");
  const details = await failingCheckDetails(github, where, failing);
  const names = details.map((check) => check.name);
  const task = await renderPrompt("fix-ci", {
    number: pull.number,
    title: sanitize(target.snapshot?.title ?? pull.title),
    branch: pull.head.ref,
    head: pull.head.sha,
    checks: promptChecks(details),
    actor: target.actor,
    instructions: input.instructions ? sanitize(input.instructions) : "",
  });
  const work = await workOnBranch(session, { branch: pull.head.ref, runId: target.runId, task, subject: `fix: make the failing checks pass (#${pull.number})`, maxTurns: input.max_turns }, signal);
  return {
    branch: work.branch,
    changed: work.changed,
    summary: work.summary,
    checks: names,
    files_changed: work.files_changed,
    ...(work.sha ? { sha: work.sha } : {}),
  };
}

/** Lines of a failed job's log a follow-up reads: its end, where the failure usually is. */
const FOLLOW_UP_LOG_LINES = 60;

/**
 * The failing checks on `sha` as a follow-up reads them beside what people asked: each check's
 * output, annotations and the end of its log, sanitised like the fix's own prompt. Empty when
 * every check passes (or none ran); the app's own checks are not counted.
 */
export async function failingChecksText(session: CodingRun, github: GitHubClient, sha: string): Promise<string> {
  const { target } = session;
  const where = { owner: target.owner, repo: target.repo };
  const ourSlug = (await session.source.committer()).name.replace(/\[bot\]$/, "");
  const failing = await failingChecksOn(github, where, sha, ourSlug);
  if (failing.length === 0) return "";
  const checks = promptChecks(await failingCheckDetails(github, where, failing));
  return checks
    .map((check) => {
      const notes = check.annotations.map((a) => `- ${a.path}${a.line ? `:${a.line}` : ""} (${a.level}) ${a.title} ${a.message}`.trim());
      const log = check.log.split("\n").slice(-FOLLOW_UP_LOG_LINES).join("\n");
      return [`<check name="${check.name}" conclusion="${check.conclusion}">`, check.title, check.summary, check.text, ...notes, log ? `<log>\n${log}\n</log>` : "", "</check>"]
        .filter((line) => line.trim() !== "")
        .join("\n");
    })
    .join("\n");
}
