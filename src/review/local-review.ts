import type { ModelRun } from "../agent/model-access.js";
import type { IssueText } from "../agent/context.js";
import type { Workspace } from "../workspace/workspace.js";
import { FileLines } from "./diff.js";
import { fileClassifier } from "./files.js";
import { type Finding, placeFindings, severities } from "./findings.js";
import { localChangedFiles } from "./local-diff.js";
import { orderByRelevance } from "./chunk.js";
import { fileCoverage } from "./coverage.js";
import { carryOut, overTheCap, planForRun } from "./run-plan.js";

/**
 * The reviewer on a branch of the run's workspace rather than on a pull request: the branch's
 * diff since it left the base, through the same file filters, chunks and model review as a pull
 * request's, with the issue standing for the pull request's description. Nothing is posted; the
 * findings come back, duplicates merged, most severe first. Files the budget could not cover are
 * among those left out, with the reason.
 */

export interface LocalReview {
  findings: Finding[];
  /** Files the reviewer read. */
  reviewed: number;
  /** Files left out, and why (lockfiles, generated, binary, over the cap or the budget). */
  skipped: { path: string; reason: string }[];
  /** Findings the model wrote that did not fit the schema. */
  unreadable: number;
}

// What the reviewer is told about the change in place of a pull request's reviewer request.
const NOTE = "This change was made by the coding agent for the issue above, before its pull request is opened; review it as you would the pull request.";

export async function reviewWorkspace(session: ModelRun, workspace: Workspace, issue: IssueText, signal?: AbortSignal): Promise<LocalReview> {
  const { config } = session;
  const classify = fileClassifier({ paths: config.triggers.review.paths, ignorePaths: config.triggers.review.ignore_paths, skipGenerated: config.review.skip_generated });
  const reviewable: { path: string; patch: string; additions: number; deletions: number }[] = [];
  const skipped: { path: string; reason: string }[] = [];
  for (const file of localChangedFiles(await workspace.diff())) {
    const verdict = classify(file);
    if (verdict.review && file.patch) reviewable.push({ ...file, patch: file.patch });
    else skipped.push({ path: file.path, reason: verdict.review ? "no diff" : verdict.reason });
  }
  if (reviewable.length === 0) return { findings: [], reviewed: 0, skipped, unreadable: 0 };

  const budget = await session.model.budget();
  // The issue's text as the run read it: sanitised, the body withheld from authors without write access.
  const description = { title: `Resolve issue #${issue.number}: ${issue.title}`, body: issue.body, bodyWithheld: issue.bodyWithheld, instructions: NOTE };
  const plan = await planForRun(session, reviewable, description, budget);
  const outcome = await carryOut(session, plan, budget, signal);
  const coverage = fileCoverage(orderByRelevance(reviewable), outcome.done, outcome.unread);
  skipped.push(...coverage.missed, ...plan.overCap.map((path) => ({ path, reason: overTheCap(config.review.max_files) })));
  const reviews = outcome.done.map((d) => d.review);

  const lines = new Map<string, FileLines>();
  for (const { chunk } of outcome.done) for (const file of chunk.files) lines.set(file.path, new FileLines([...(lines.get(file.path)?.hunks ?? []), ...file.hunks]));
  // Placing merges duplicates and orders by severity; where a finding could go inline does not matter here.
  const placement = placeFindings(
    reviews.flatMap((r) => r.findings),
    lines,
    { maxComments: Number.MAX_SAFE_INTEGER, alreadyPosted: [] },
  );
  const findings = [...placement.inline, ...placement.summaryOnly].map((p) => p.finding).sort((a, b) => severities.indexOf(a.severity) - severities.indexOf(b.severity));
  return { findings, reviewed: coverage.reviewed.length, skipped, unreadable: reviews.reduce((total, r) => total + r.unreadable, 0) };
}
