import { type Budget, BudgetExceeded } from "../agent/budget.js";
import type { ModelRun } from "../agent/model-access.js";
import type { Chunk, ReviewableFile } from "./chunk.js";
import { type ChunkContext, type ChunkReview, type ReviewPass, reviewChunk } from "./model-review.js";
import { type ReviewPlan, planReview } from "./review-plan.js";

/**
 * A review plan made from the run's config and budget, and carried out: what `ai.review` and the
 * self-review of the agent's change share. Every chunk is tried, most relevant first, also those
 * past what the estimate covers; the first call the budget refuses (the run's limit, or a monthly
 * one) stops the review where it is: the chunks done are kept, and the rest are named with the
 * limit that stopped them. A review the budget refuses before any chunk is read fails with it.
 */

/** The plan for `files` within the run's budget, by the run's `review:` and `models:` settings. */
export async function planForRun(session: ModelRun, files: readonly ReviewableFile[], context: Omit<ChunkContext, "index" | "of">, budget: Budget): Promise<ReviewPlan> {
  const { config } = session;
  return planReview(files, {
    chunkTokens: config.review.chunk_tokens,
    maxFiles: config.review.max_files,
    fullFiles: config.review.full_files,
    models: { full: config.models.review, tail: config.models.review_tail },
    maxTokens: config.models.max_tokens,
    context,
    provider: session.model.provider,
    measure: (text) => session.model.countTokens(config.models.review, text),
    budget: budget.runLimit(),
  });
}

export interface PlanOutcome {
  /** The chunks reviewed, with their pass and review, most relevant first. */
  done: { chunk: Chunk; pass: ReviewPass; review: ChunkReview }[];
  /** The chunks not reviewed and why: over the budget as planned, or refused by it at run time. */
  unread: { chunk: Chunk; reason: string }[];
  /** What the review's model calls cost. */
  spentMicros: number;
}

/** The reason a chunk over the budget is not read, as the check lists it. */
export const overBudget = (limit: string) => `over budget: ${limit} would be exceeded`;

/** The reason a file past `review.max_files` is not read. */
export const overTheCap = (maxFiles: number | undefined) => `over the limit of ${maxFiles} files (review.max_files)`;

/** Every chunk reviewed in order, `review.parallel_chunks` at a time, until the budget refuses one. */
export async function carryOut(session: ModelRun, plan: ReviewPlan, budget: Budget, signal?: AbortSignal): Promise<PlanOutcome> {
  const before = budget.spentMicros;
  const of = plan.chunks.length;
  let refused: BudgetExceeded | undefined;
  const results = await mapLimit(plan.chunks, session.config.review.parallel_chunks, async (planned, index) => {
    // Relevance order holds: once a call is refused, no less relevant chunk starts.
    if (refused !== undefined) return undefined;
    try {
      return await reviewChunk({ provider: session.model.provider, budget, request: planned.request, place: { index: index + 1, of }, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (!(error instanceof BudgetExceeded)) throw error;
      refused ??= error;
      return undefined;
    }
  });
  // Nothing read at all is no partial review: the run stops on the budget, as any other step would.
  if (refused && results.every((review) => review === undefined)) throw refused;
  const done: PlanOutcome["done"] = [];
  const unread: PlanOutcome["unread"] = [];
  plan.chunks.forEach((planned, index) => {
    const review = results[index];
    if (review) done.push({ chunk: planned.chunk, pass: planned.pass, review });
    else unread.push({ chunk: planned.chunk, reason: overBudget(refused?.limit ?? plan.budget.describe) });
  });
  return { done, unread, spentMicros: budget.spentMicros - before };
}

/** Runs `work` over `items` with at most `limit` at once, keeping their order. */
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
