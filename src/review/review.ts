import type { ModelRun } from "../agent/model-access.js";
import { neutralizeForGitHub } from "../integrations/github/safe-markdown.js";
import { UserFacingError, publicMessage } from "../core/errors.js";
import type { ChangeRequest, CheckConclusion } from "../integrations/kinds/version-control.js";
import { type Chunk, type ChunkPlan, type ReviewableFile, estimateTokens, planChunks } from "./chunk.js";
import type { Budget } from "../agent/budget.js";
import { openCheckRun } from "./check-run.js";
import { count, renderCoverage } from "./coverage.js";
import { FileLines } from "./diff.js";
import { readPullRequestText } from "./description.js";
import { type ChangedFile, fileClassifier } from "./files.js";
import { type Finding, placeFindings } from "./findings.js";
import { type ChunkReview, renderChunk, reviewChunk } from "./model-review.js";
import { postReview, upsertSummary } from "./publish.js";
import { type ReviewState, decodePosted, encodePosted, findSummary, renderReviewBody, renderSummary, summaryBody } from "./summary.js";

/**
 * `ai.review`: one review of a pull request. A check run shows it in the PR's checks from queued to
 * completed, and its text is the review's coverage: the files read, the files left out and why. On
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
  const finishCheck = async (conclusion: CheckConclusion, title: string, summary: string) => {
    if (checkId !== undefined) await forge.updateCheck(checkId, { status: "completed", conclusion, completedAt: new Date(), title, summary });
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
    const plan = await planWithCount(session, reviewable, config.review.chunk_tokens, config.review.max_files);
    for (const path of plan.overCap) skipped.push({ path, reason: `over the limit of ${config.review.max_files} files (review.max_files)` });
    const inChunks = new Set(plan.chunks.flatMap((chunk) => chunk.files.map((file) => file.path)));
    const since = incremental ? previous.state.head : undefined;
    const coverage = { head, since, reviewed: reviewable.filter((file) => inChunks.has(file.path)), skipped };

    if (plan.chunks.length === 0) {
      // Every change is filtered out (paths, lockfiles, generated): no review, no model call.
      await finishCheck("success", "Nothing to review", renderCoverage(coverage));
      return { review_url: null, findings: 0, summary: "Nothing to review." };
    }
    const budget = await session.model.budget();
    const description = await readPullRequestText(forge, { botLogin, snapshot: session.target.snapshot }, currentPull);
    const reviews = await reviewChunks(session, plan.chunks, { ...description, instructions: input.instructions ?? "" }, budget, signal);

    const lines = new Map<string, FileLines>();
    for (const chunk of plan.chunks) for (const file of chunk.files) lines.set(file.path, new FileLines([...(lines.get(file.path)?.hunks ?? []), ...file.hunks]));
    const findings: Finding[] = reviews.flatMap((r) => r.findings);
    const placement = placeFindings(findings, lines, { maxComments: config.review.max_comments, alreadyPosted: previous ? decodePosted(previous.state) : [] });
    const severe = [...placement.inline, ...placement.summaryOnly].some((p) => p.finding.severity === "critical" || p.finding.severity === "high");
    const event = config.review.request_changes && severe ? "REQUEST_CHANGES" : "COMMENT";
    // What the model wrote is posted neutralised: no mention but the requester's, no closing keyword, no raw HTML.
    const safe = (text: string) => neutralizeForGitHub(text, { requester: session.target.actor });
    const summary = safe(renderSummary({ reviews, placement, skipped, incremental, reviewedFiles: plan.assigned, head, since, unreadable: sum(reviews) }));

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
    await finishCheck(event === "REQUEST_CHANGES" ? "failure" : found > 0 ? "neutral" : "success", found === 0 ? "No findings" : count(found, "finding"), renderCoverage({ ...coverage, summaryUrl }));
    return { review_url: reviewUrl ?? summaryUrl, findings: found, summary };
  } catch (error) {
    const message = publicMessage(error, { subject: "the review" });
    await finishCheck("cancelled", "Review did not finish", message).catch(() => undefined);
    throw error;
  }
}

/**
 * Chunks by the estimate, checked against the API's count of the largest chunk as the model will
 * read it; when the estimate ran low, the chunks are planned again with the measured ratio.
 */
export async function planWithCount(session: ModelRun, files: readonly ReviewableFile[], budget: number, maxFiles: number): Promise<ChunkPlan> {
  const plan = planChunks(files, { budget, maxFiles });
  const largest = [...plan.chunks].sort((a, b) => b.tokens - a.tokens)[0];
  if (!largest) return plan;
  const counted = await session.model.countTokens(session.config.models.review, renderChunk(largest));
  if (counted === undefined || counted <= largest.tokens) return plan;
  const ratio = counted / largest.tokens;
  return planChunks(files, { budget, maxFiles, count: (text) => Math.ceil(estimateTokens(text) * ratio) });
}

function sum(reviews: readonly ChunkReview[]): number {
  return reviews.reduce((total, r) => total + r.unreadable, 0);
}

/** Runs `work` over `items` with at most `limit` at once, keeping their order. */
/** Every chunk reviewed by the model, `review.parallel_chunks` at a time, each told which of how many it is. */
export function reviewChunks(
  session: ModelRun,
  chunks: readonly Chunk[],
  description: { title: string; body: string; bodyWithheld: boolean; instructions: string },
  budget: Budget,
  signal?: AbortSignal,
): Promise<ChunkReview[]> {
  const { config } = session;
  return mapLimit(chunks, config.review.parallel_chunks, (chunk, index) =>
    reviewChunk({
      provider: session.model.provider,
      model: config.models.review,
      maxTokens: config.models.max_tokens,
      budget,
      chunk,
      context: { ...description, index: index + 1, of: chunks.length },
      ...(signal ? { signal } : {}),
    }),
  );
}

export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
