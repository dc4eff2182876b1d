import { neutralizeForGitHub, withoutClosingReferences } from "../integrations/github/safe-markdown.js";
import { UserFacingError } from "../core/errors.js";
import { formatUsd } from "../core/format.js";
import { type CodingRun, runCodingAgent } from "./coding-tools.js";
import { editedNote } from "./context.js";
import { renderPrompt } from "./prompts.js";
import type { CommandRecord } from "./tools/types.js";

/**
 * `ai.implement`: the coding agent on the run's branch. It works in the workspace until it calls
 * finish, then its changes are committed (a conventional message, the person who asked as
 * co-author) and pushed, so they outlive the worker. No change means no commit and no branch.
 */

export interface ImplementInput {
  instructions?: string | undefined;
  plan?: string | undefined;
  branch_prefix: string;
  max_turns?: number | undefined;
  allowed_paths?: string[] | undefined;
}

export interface ImplementOutputs {
  branch: string;
  changed: boolean;
  summary: string;
  files_changed: string[];
  commits: number;
  pr_body: string;
  /** The pushed head; absent when nothing changed. */
  sha?: string;
  [key: string]: unknown;
}

/** What the coding agent works with: the run's subject, the model, and the run's workspace. */
export type ImplementRun = CodingRun;

export async function implement(session: ImplementRun, input: ImplementInput, signal?: AbortSignal): Promise<ImplementOutputs> {
  const { config, target } = session;
  const issue = await session.source.issue();
  const branch = `${input.branch_prefix}${target.number}-${slug(issue.title)}`;
  // Asked first, so a run past its budget stops before anything is cloned (the same budget is the loop's).
  const budget = await session.model.budget();
  const workspace = await session.workspace.workspace(branch);

  const { sandbox, commands: record } = session.workspace;
  const task = await renderPrompt("task", { mode: "implement", issue, actor: target.actor, instructions: input.instructions ?? "", plan: input.plan ?? "", documents: [] });
  const maxTurns = input.max_turns ?? config.agent.max_turns;
  const { result, policy } = await runCodingAgent(session, workspace, { task, maxTurns, allowedPaths: input.allowed_paths, signal });

  // The model's words are posted (tracking comment, pull request): no mention but the requester's,
  // no closing keyword, no raw HTML — cut first, so the cut cannot undo it.
  const safe = (text: string) => neutralizeForGitHub(text, { requester: target.actor });
  if (!result.finished) {
    throw new UserFacingError(
      `The agent used its ${maxTurns} turns (agent.max_turns) without finishing, so nothing was pushed.${result.summary ? ` Its last words: ${safe(result.summary.slice(0, 300))}` : ""}`,
    );
  }

  // The shell can write anywhere in the worktree; what the path policy forbids is not committed.
  const discarded = await workspace.discard((file) => !policy.mayWrite(file));
  const files = await workspace.changedFiles();
  if (files.length > 0) {
    const committer = await session.source.committer();
    const requester = await session.source.requester();
    await workspace.commit(commitMessage(issue.title, target.number, issue.labels, result.summary, requester), committer);
  }
  const commits = await workspace.commits();
  if (commits.length === 0) {
    return {
      branch,
      changed: false,
      summary: `The agent made no changes, so no branch or pull request was opened. ${safe(result.summary)}${editedNote(issue)}`,
      files_changed: [],
      commits: 0,
      pr_body: "",
    };
  }
  const sha = await workspace.push();
  const changedFiles = files.length > 0 ? files : result.changedFiles;
  const summary = safe(result.summary);
  const rendered = await renderPrompt("pull-request", {
    summary,
    files: changedFiles,
    discarded,
    commands: commandLines(record),
    earlier_commands: Math.max(0, record.length - MAX_LISTED_COMMANDS),
    sandbox: sandbox.kind,
    cost: formatUsd(budget.spentMicros),
    actor: target.actor,
    issue: target.number,
  });
  // Once more over the whole body (file names are the model's too); its own `Closes #N` stays.
  const pr_body = neutralizeForGitHub(rendered, { requester: target.actor, allowClosing: target.number });
  return { branch, changed: true, summary: `${summary}${editedNote(issue)}`, files_changed: changedFiles, commits: commits.length, pr_body, sha };
}

const MAX_LISTED_COMMANDS = 30;

/** The last commands for the pull request's body, one line each; the template says how many came before. */
function commandLines(records: readonly CommandRecord[]): CommandRecord[] {
  return records.slice(-MAX_LISTED_COMMANDS).map((record) => {
    const line = record.command.replace(/\s+/g, " ").replace(/`/g, "'").trim();
    return { ...record, command: line.length > 120 ? `${line.slice(0, 119)}…` : line };
  });
}

/** `fix: handle empty input (#12)`, the summary, and the co-author trailer. */
export function commitMessage(title: string, number: number, labels: readonly string[], summary: string, requester: { name: string; email: string }): string {
  const lower = labels.map((label) => label.toLowerCase());
  const type = lower.some((l) => l.includes("bug") || l === "fix") ? "fix" : lower.some((l) => l.includes("doc")) ? "docs" : "feat";
  const subject = title.replace(/\s+/g, " ").trim();
  const head = `${type}: ${subject.charAt(0).toLowerCase()}${subject.slice(1)}`;
  const suffix = ` (#${number})`;
  const line = head.length + suffix.length > 72 ? `${head.slice(0, 72 - suffix.length - 1)}…${suffix}` : `${head}${suffix}`;
  return `${line}\n\n${withoutClosingReferences(summary.trim())}\n\nCo-authored-by: ${requester.name} <${requester.email}>\n`;
}

/** `Fix: the README's typo!` → `fix-the-readmes-typo`, at most 40 characters. */
export function slug(title: string): string {
  const words = title
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f']/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (words.length <= 40) return words || "issue";
  const cut = words.slice(0, 41);
  return cut.slice(0, cut.lastIndexOf("-") > 0 ? cut.lastIndexOf("-") : 40);
}
