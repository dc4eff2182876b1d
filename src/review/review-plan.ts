import { Budget } from "../agent/budget.js";
import type { ModelProvider, ModelRequest } from "../integrations/kinds/model-provider.js";
import { type Chunk, type ReviewableFile, estimateTokens, orderByRelevance, packChunks } from "./chunk.js";
import { type ChunkContext, type ReviewPass, renderChunk, reviewRequest } from "./model-review.js";

/**
 * Which pass reads each file of a pull request, and what that costs, decided before anything is
 * spent. The most relevant `review.full_files` files are reviewed with `models.review`, the others
 * in the lighter pass with `models.review_tail`; every chunk's request is built and priced up front
 * (its prompt by the token estimate, its answer at an allowance). The plan covers chunks in
 * relevance order while the run's budget holds them, by the test the budget puts to each call (the
 * call's worst case beside what was spent before it), so it promises no chunk the budget would
 * refuse when the answers cost what was estimated. When the whole does not fit, chunks of the full
 * pass move to the lighter one, least relevant first, before any file is left out: the whole pull
 * request read more lightly is worth more than its head read well and its tail not at all. The
 * chunks past what the plan covers are still tried after it, in order: the budget's own test at
 * each call decides, and answers that cost less than estimated leave room for them.
 */

/** Output tokens a chunk's report is estimated at: an overview and a page of findings. */
export const OUTPUT_ALLOWANCE = 2_000;

export interface PlannedChunk {
  chunk: Chunk;
  pass: ReviewPass;
  /** The request as it will be sent. */
  request: ModelRequest;
  /** Its prompt by the token estimate and its answer at the allowance, at its model's price. */
  estimateMicros: number;
}

/** The run's own limit, as the budget states it (Budget.runLimit). */
export interface RunLimit {
  limitMicros: number;
  spentMicros: number;
  describe: string;
}

export interface ReviewPlan {
  /** Every chunk, most relevant first, with the pass that reads it. */
  chunks: PlannedChunk[];
  /** How many of the first chunks the run's budget covers by the estimate. */
  covered: number;
  /** Files past `review.max_files`, most relevant first. */
  overCap: string[];
  /** The estimated cost of the covered chunks, and of all of them. */
  estimateMicros: number;
  wholeEstimateMicros: number;
  budget: RunLimit;
  models: Record<ReviewPass, string>;
}

export interface PlanOptions {
  chunkTokens: number;
  /** `review.max_files`: absent, every file is planned. */
  maxFiles: number | undefined;
  /** `review.full_files`: how many of the most relevant files the full pass reads. */
  fullFiles: number;
  models: Record<ReviewPass, string>;
  maxTokens: number;
  context: Omit<ChunkContext, "index" | "of">;
  provider: Pick<ModelProvider, "price">;
  /** The provider's count of a chunk as the model reads it; undefined when it cannot say. */
  measure: (text: string) => Promise<number | undefined>;
  budget: RunLimit;
}

interface Candidate {
  chunk: Chunk;
  pass: ReviewPass;
  request: ModelRequest;
  estimateMicros: number;
  worstMicros: number;
}

export async function planReview(files: readonly ReviewableFile[], options: PlanOptions): Promise<ReviewPlan> {
  const ordered = orderByRelevance(files);
  const cap = options.maxFiles ?? ordered.length;
  const kept = ordered.slice(0, cap);
  const overCap = ordered.slice(cap).map((file) => file.path);
  const { head, tail, count } = await packMeasured(kept, options);
  const of = head.length + tail.length;

  const candidate = async (chunk: Chunk, index: number, pass: ReviewPass): Promise<Candidate> => {
    const model = options.models[pass];
    const request = await reviewRequest({ model, maxTokens: options.maxTokens, chunk, context: { ...options.context, index: index + 1, of }, pass });
    return {
      chunk,
      pass,
      request,
      estimateMicros: estimateCost(options.provider, request, count),
      worstMicros: Budget.worstCase(options.provider, model, JSON.stringify(request).length, request.max_tokens),
    };
  };
  const full = await Promise.all(head.map((chunk, i) => candidate(chunk, i, "full")));
  const light = await Promise.all(tail.map((chunk, i) => candidate(chunk, head.length + i, "tail")));
  const available = Math.max(0, options.budget.limitMicros - options.budget.spentMicros);

  let sequence = [...full, ...light];
  let covered = callsWithin(sequence, available);
  if (covered < sequence.length && full.length > 0) {
    // The head read lightly too, from its least relevant chunk up, until the whole fits; when it
    // never does, the arrangement that covers the most.
    const lightHead = await Promise.all(head.map((chunk, i) => candidate(chunk, i, "tail")));
    for (let keep = full.length - 1; keep >= 0 && covered < sequence.length; keep--) {
      const trial = [...full.slice(0, keep), ...lightHead.slice(keep), ...light];
      const reach = callsWithin(trial, available);
      if (parts(trial.slice(0, reach)) > parts(sequence.slice(0, covered))) {
        sequence = trial;
        covered = reach;
      }
    }
  }
  return {
    chunks: sequence.map(({ worstMicros: _, ...chunk }) => chunk),
    covered,
    overCap,
    estimateMicros: total(sequence.slice(0, covered)),
    wholeEstimateMicros: total(sequence),
    budget: options.budget,
    models: options.models,
  };
}

/**
 * Both passes' chunks by the estimate, checked against the provider's count of the largest chunk
 * as the model will read it; when the estimate ran low, packed again with the measured ratio, which
 * the cost estimate then uses too.
 */
async function packMeasured(files: readonly ReviewableFile[], options: Pick<PlanOptions, "chunkTokens" | "fullFiles" | "measure">) {
  const pack = (count: (text: string) => number) => ({
    head: packChunks(files.slice(0, options.fullFiles), { budget: options.chunkTokens, count }),
    tail: packChunks(files.slice(options.fullFiles), { budget: options.chunkTokens, count }),
    count,
  });
  const first = pack(estimateTokens);
  const largest = [...first.head, ...first.tail].sort((a, b) => b.tokens - a.tokens)[0];
  if (!largest) return first;
  const counted = await options.measure(renderChunk(largest));
  if (counted === undefined || counted <= largest.tokens) return first;
  const ratio = counted / largest.tokens;
  return pack((text) => Math.ceil(estimateTokens(text) * ratio));
}

/**
 * How many of `calls`, in order, the budget lets through: each one's worst case must fit in what
 * is left after the estimates of those before it, as Budget.call reserves it.
 */
export function callsWithin(calls: readonly { estimateMicros: number; worstMicros: number }[], availableMicros: number): number {
  let spent = 0;
  for (const [index, call] of calls.entries()) {
    if (spent + call.worstMicros > availableMicros) return index;
    spent += call.estimateMicros;
  }
  return calls.length;
}

/**
 * A request's estimated cost: its system prompt, tools and message by the token estimate, at the
 * input price (the cache makes repeats cheaper; the estimate does not count on it), and an answer
 * of OUTPUT_ALLOWANCE tokens, or max_tokens when that is less.
 */
export function estimateCost(provider: Pick<ModelProvider, "price">, request: ModelRequest, count: (text: string) => number): number {
  const system = typeof request.system === "string" ? request.system : (request.system ?? []).map((block) => block.text).join("\n");
  const messages = request.messages.map((message) => (typeof message.content === "string" ? message.content : JSON.stringify(message.content))).join("\n");
  const inputTokens = count(system) + count(JSON.stringify(request.tools ?? [])) + count(messages);
  return provider.price(request.model, { inputTokens, outputTokens: Math.min(OUTPUT_ALLOWANCE, request.max_tokens), cacheWriteTokens: 0, cacheReadTokens: 0 });
}

function total(chunks: readonly { estimateMicros: number }[]): number {
  return chunks.reduce((sum, chunk) => sum + chunk.estimateMicros, 0);
}

/** File parts in `chunks`: what a plan covers. */
function parts(chunks: readonly { chunk: Chunk }[]): number {
  return chunks.reduce((sum, c) => sum + c.chunk.files.length, 0);
}
