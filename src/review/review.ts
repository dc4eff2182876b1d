import type { ModelRun } from "../agent/model-access.js";
import { neutralizeForGitHub } from "../integrations/github/safe-markdown.js";
import { UserFacingError, publicMessage } from "../core/errors.js";
import type { ChangeRequest, CheckConclusion } from "../integrations/kinds/version-control.js";
import { type Chunk, orderByRelevance } from "./chunk.js";
import { openCheckRun } from "./check-run.js";
import { type Coverage, count, coverageTitle, fileCoverage, isPartial, renderCoverage } from "./coverage.js";
import { FileLines } from "./diff.js";
import { readPullRequestText } from "./description.js";
import { type ChangedFile, fileClassifier } from "./files.js";
import { type Finding, placeFindings } from "./findings.js";
import type { ChunkReview, ReviewPass } from "./model-review.js";
import { carryOut, overBudget, overTheCap, planForRun } from "./run-plan.js";
import { postReview, upsertSummary } from "./publish.js";
import { type ReviewState, decodePosted, encodePosted, findSummary, renderReviewBody, renderSummary, summaryBody } from "./summary.js";

/**
 * `ai.review`: one review of a pull request. A check run shows it in the PR's checks from queued to
 * completed, and its text is the review's coverage: the files read and by which pass, the files
 * left out and why, and the cost estimated before the first model call (./review-plan.ts). A
 * review the budget could not cover whole is partial, and its check says so. On
 * a push after an earlier review, only the changes since the reviewed head are read (the compare
 * API), findings already posted are not posted again, and the summary comment is edited in place.
 * The summary is in the conversation once, in that comment; the one GitHub review per run carries
 * the inline comments and a line pointing to it, and is left out when it would carry nothing (no
 * inline comment, no change requested).
 */

export interface ReviewOutputs {
  review_url: string | null;
  findings: number;
  summary: string;
  [key: string]: unknown;
}

export async function review(session: ModelRun, input: { full: boolean; instructions?: string | undefined }, signal?: AbortSignal): Promise<ReviewOutputs> {
  const forge = session.source.versionControl;
  if (!forge) throw new UserFacingError("ai.review needs GitHub.");
  const { number } = session.target;
  // Read once, and only when the run lacks what it needs: the head and the text it was queued with.
  let pull: Promise<ChangeRequest> | undefined;
  const accepted = session.target.change;
  const currentPull = () => (pull ??= accepted ? Promise.resolve(accepted) : forge.changeRequest(number));
  // The head the run was queued for: a push since is the next run's to review.
  const head = session.target.head ?? (await currentPull()).head.sha;
  const checkId = forge.supports("checks") ? await openCheckRun(forge, { head, runId: session.target.runId }) : undefined;
  const finishCheck = async (conclusion: CheckConclusion, title: string, output: string | { summary: string; text?: string }) => {
    const shown = typeof output === "string" ? { summary: output } : output;
    if (checkId !== undefined) await forge.updateCheck(checkId, { status: "completed", conclusion, completedAt: new Date(), title, ...shown });
  };

  try {
    if (checkId !== undefined) await forge.updateCheck(checkId, { status: "in_progress", startedAt: new Date() });
    const botLogin = (await session.source.committer()).name;
    const previous = await findSummary(forge, { number, botLogin });
    const incremental = !input.full && previous?.state.head !== undefined && previous.state.head !== head;
    if (!input.full && previous?.state.head === head) {
      await finishCheck("success", "Already reviewed", `The head ${head.slice(0, 7)} was reviewed before; nothing new to review.`);
      return { review_url: null, findings: 0, summary: "Already reviewed." };
    }
    const changed = incremental ? await forge.compare(previous.state.head!, head) : await forge.changedFiles(number);

    const { config } = session;
    const classify = fileClassifier({ paths: config.triggers.review.paths, ignorePaths: config.triggers.review.ignore_paths, skipGenerated: config.review.skip_generated });
    const reviewable: (ChangedFile & { patch: string })[] = [];
    const skipped: { path: string; reason: string }[] = [];
    for (const file of changed) {
      const verdict = classify(file);
      if (verdict.review && file.patch) reviewable.push({ ...file, patch: file.patch });
      else skipped.push({ path: file.path, reason: verdict.review ? "no diff" : verdict.reason });
    }
    const since = incremental ? previous.state.head : undefined;
    if (reviewable.length === 0) {
      // Every change is filtered out (paths, lockfiles, generated): no review, no model call.
      await finishCheck("success", "Nothing to review", renderCoverage({ head, since, reviewed: [], skipped, missed: [] }));
      return { review_url: null, findings: 0, summary: "Nothing to review." };
    }
    const budget = await session.model.budget();
    const description = await readPullRequestText(forge, { botLogin, snapshot: session.target.snapshot }, currentPull);
    const plan = await planForRun(session, reviewable, { ...description, instructions: input.instructions ?? "" }, budget);
    const overCap = plan.overCap.map((path) => ({ path, reason: overTheCap(config.review.max_files) }));
    const coverageOf = (read: readonly { chunk: Chunk; pass: ReviewPass }[], unread: readonly { chunk: Chunk; reason: string }[], spentMicros?: number): Coverage => {
      const files = fileCoverage(orderByRelevance(reviewable), read, unread);
      const cost = { estimateMicros: plan.estimateMicros, wholeEstimateMicros: plan.wholeEstimateMicros, budget: plan.budget, spentMicros };
      return { head, since, reviewed: files.reviewed, skipped, missed: [...files.missed, ...overCap], models: plan.models, cost };
    };
    // The plan and its estimate are in the check before the first model call.
    const expected = coverageOf(plan.chunks.slice(0, plan.covered), plan.chunks.slice(plan.covered).map(({ chunk }) => ({ chunk, reason: overBudget(plan.budget.describe) })));
    if (checkId !== undefined) {
      const covers = isPartial(expected) ? `; the estimate covers ${count(expected.reviewed.length, "file")}` : "";
      const title = `Reviewing ${count(expected.reviewed.length + expected.missed.length, "file")}${covers}`;
      await forge.updateCheck(checkId, { status: "in_progress", output: { title, ...renderCoverage(expected, "planned") } });
    }
    const outcome = await carryOut(session, plan, budget, signal);
    const reviews = outcome.done.map((d) => d.review);
    const coverage = coverageOf(outcome.done, outcome.unread, outcome.spentMicros);
    const unreviewed = [...skipped, ...coverage.missed];

    const lines = new Map<string, FileLines>();
    for (const { chunk } of outcome.done) for (const file of chunk.files) lines.set(file.path, new FileLines([...(lines.get(file.path)?.hunks ?? []), ...file.hunks]));
    const findings: Finding[] = reviews.flatMap((r) => r.findings);
    const placement = placeFindings(findings, lines, { maxComments: config.review.max_comments, alreadyPosted: previous ? decodePosted(previous.state) : [] });
    const severe = [...placement.inline, ...placement.summaryOnly].some((p) => p.finding.severity === "critical" || p.finding.severity === "high");
    const event = config.review.request_changes && severe ? "REQUEST_CHANGES" : "COMMENT";
    // What the model wrote is posted neutralised: no mention but the requester's, no closing keyword, no raw HTML.
    const safe = (text: string) => neutralizeForGitHub(text, { requester: session.target.actor });
    const summary = safe(renderSummary({ reviews, placement, skipped: unreviewed, incremental, reviewedFiles: coverage.reviewed.length, head, since, unreadable: sum(reviews) }));

    // The review before the summary's state moves on: a run resumed between the two finds its own
    // review (postReview looks for it) and writes the state; the other order could lose the review.
    let reviewUrl: string | null = null;
    if (placement.inline.length > 0 || event === "REQUEST_CHANGES") {
      const body = safe(renderReviewBody({ placement, requestChanges: event === "REQUEST_CHANGES", summaryUrl: previous?.url }));
      reviewUrl = await postReview(forge, { number, runId: session.target.runId, botLogin, head, event, body, placement, safe });
    }
    const state: ReviewState = { head, posted: [...(previous?.state.posted ?? []), ...placement.inline.map((p) => encodePosted(p.posted))].slice(-500) };
    const summaryUrl = await upsertSummary(forge, number, previous?.commentId, summaryBody(summary, state));
    const found = placement.inline.length + placement.summaryOnly.length;
    // A partial review is at best neutral: a green check would say the whole was read.
    const conclusion = event === "REQUEST_CHANGES" ? "failure" : found > 0 || isPartial(coverage) ? "neutral" : "success";
    await finishCheck(conclusion, coverageTitle(coverage, found === 0 ? "No findings" : count(found, "finding")), renderCoverage({ ...coverage, summaryUrl }));
    return { review_url: reviewUrl ?? summaryUrl, findings: found, summary };
  } catch (error) {
    const message = publicMessage(error, { subject: "the review" });
    await finishCheck("cancelled", "Review did not finish", message).catch(() => undefined);
    throw error;
  }
}

function sum(reviews: readonly ChunkReview[]): number {
  return reviews.reduce((total, r) => total + r.unreadable, 0);
}
