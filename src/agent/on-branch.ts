import { UserFacingError } from "../core/errors.js";
import { withoutClosingReferences } from "../integrations/github/safe-markdown.js";
import { type CodingRun, runCodingAgent } from "./coding-tools.js";
import type { Workspace } from "../workspace/workspace.js";
import type { ToolSetOptions } from "./tools/index.js";

/**
 * The coding agent on a branch that is already there — a pull request's head — rather than a new
 * one: a follow-up on review comments, a fix of failing checks. It works in a worktree of that
 * branch, commits what it changed on top (never rewriting what is there) and pushes it as a
 * fast-forward, so a push that lost a race with someone else's fails instead of overwriting it.
 */

export interface BranchWorkInput {
  /** The existing branch to work on, e.g. the pull request's head ref; with `startRef`, a new one started there. */
  branch: string;
  /** Where a new branch starts, e.g. a fork's pull request head (`refs/pull/7/head`). */
  startRef?: string;
  /** The run: its commit carries it (`AI-Agent-Run:`), so a step re-run after a crash finds its work pushed. */
  runId: string;
  /** More of that trailer's value after the run id, e.g. up to when the conversation was read. */
  mark?: string;
  /** The task as the model reads it: what to do and the context (review threads, check output). */
  task: string;
  /** The commit's subject line, e.g. `fix: address review comments (#12)`. */
  subject: string;
  maxTurns?: number | undefined;
  allowedPaths?: string[] | undefined;
  /** More of the commit message after the summary (e.g. what was done in each thread), written once the model finished. */
  details?: (summary: string) => string;
  /** A structured end of the work (e.g. what was done in each thread); `finish` otherwise. */
  finishTool?: ToolSetOptions["finishTool"];
}

export interface BranchWork {
  branch: string;
  /** Whether a commit was made and pushed. */
  changed: boolean;
  /** The model's summary of what it did, as it wrote it (not yet made safe to post). */
  summary: string;
  files_changed: string[];
  /** Files the path policy did not let the agent change; their changes were undone. */
  discarded: string[];
  /** The pushed commit; absent when nothing changed. */
  sha?: string;
  /**
   * The commit's message when the branch already ended in this run's commit (the step ran before and
   * pushed, then the worker stopped): nothing was asked of the model again and nothing was pushed.
   */
  recovered?: string;
}

const TRAILER = "AI-Agent-Run";

/** The run's own commit at the branch's head — its message and the trailer's mark — when there is one. */
export async function ownCommit(workspace: Workspace, runId: string): Promise<{ sha: string; message: string; mark: string } | undefined> {
  const head = await workspace.head();
  const found = new RegExp(`\\n${TRAILER}: ${runId.replace(/[^\w-]/g, "")}(?: ([^\\n]*))?\\n`).exec(head.message);
  return found ? { ...head, mark: found[1] ?? "" } : undefined;
}

export async function workOnBranch(session: CodingRun, input: BranchWorkInput, signal?: AbortSignal): Promise<BranchWork> {
  const { config } = session;
  const workspace = await session.workspace.workspace(input.branch, input.startRef);
  if (!workspace.reusedBranch && !input.startRef) throw new UserFacingError(`The branch ${input.branch} is not on the remote any more, so there is nothing to add commits to.`);
  const earlier = await ownCommit(workspace, input.runId);
  if (earlier) return { branch: input.branch, changed: true, summary: "", files_changed: [], discarded: [], sha: earlier.sha, recovered: earlier.message };
  const maxTurns = input.maxTurns ?? config.agent.max_turns;
  const { result, policy } = await runCodingAgent(session, workspace, { task: input.task, maxTurns, allowedPaths: input.allowedPaths, finishTool: input.finishTool, signal });
  if (!result.finished) throw new UserFacingError(`The agent used its ${maxTurns} turns (agent.max_turns) without finishing, so nothing was pushed.`);

  const discarded = await workspace.discard((file) => !policy.mayWrite(file));
  const files = await workspace.changedFiles();
  if (files.length === 0) return { branch: input.branch, changed: false, summary: result.summary, files_changed: [], discarded };
  const committer = await session.source.committer();
  const requester = await session.source.requester();
  const message = `${input.subject}\n\n${withoutClosingReferences(result.summary.trim())}\n${input.details ? `\n${input.details(result.summary)}\n` : ""}\n${TRAILER}: ${input.runId}${input.mark ? ` ${input.mark}` : ""}\nCo-authored-by: ${requester.name} <${requester.email}>\n`;
  await workspace.commit(message, committer);
  const sha = await workspace.push();
  return { branch: input.branch, changed: true, summary: result.summary, files_changed: files, discarded, sha };
}
