import type { Run } from "../../core/run.js";
import { publicRun } from "../runs-route.js";
import type { RunFilter } from "../../store/types.js";
import { type ApiAnswer, type ApiContext, notFound, readableRun } from "./context.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { parseInput } from "./http.js";
import { listRunsQuery, runIdParams } from "./schemas.js";

/**
 * Reading runs: a page of them, one, and one's steps and model calls. Only runs of repositories
 * the caller may read are ever asked of the store: the list is filtered in the query, so a page is
 * full and the paging has no gaps.
 */

export async function listRuns(ctx: ApiContext): Promise<ApiAnswer> {
  const query = parseInput(listRunsQuery, ctx.query);
  const readable = [...ctx.caller.readable];
  const filter: RunFilter = {
    repos: query.repo ? readable.filter((repo) => repo === query.repo!.toLowerCase()) : readable,
    limit: query.limit + 1,
    ...(query.task ? { task: query.task } : {}),
    ...(query.status ? { statuses: [query.status] } : {}),
    ...(query.actor ? { actor: query.actor } : {}),
    ...(query.since ? { since: new Date(query.since) } : {}),
    ...(query.until ? { until: new Date(query.until) } : {}),
    ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
  };
  const runs = await ctx.store.listRuns(filter);
  const page = runs.slice(0, query.limit);
  const last = page[page.length - 1];
  return { status: 200, body: { runs: page.map(publicRun), nextCursor: runs.length > query.limit && last ? encodeCursor(last) : null } };
}

export async function getRun(ctx: ApiContext): Promise<ApiAnswer> {
  const { id } = parseInput(runIdParams, ctx.params);
  const run = await readableRun(ctx, id);
  return run ? { status: 200, body: publicRun(run) } : notFound;
}

type StepJson = { id: string; startedAt?: string; finishedAt?: string };

export async function getRunSteps(ctx: ApiContext): Promise<ApiAnswer> {
  const { id } = parseInput(runIdParams, ctx.params);
  const run = await readableRun(ctx, id);
  if (!run) return notFound;
  return { status: 200, body: await stepsAndTurns(ctx.store, run) };
}

/** A readable run's steps with their durations and its model calls: what `getRunSteps` serves. */
export async function stepsAndTurns(store: Pick<ApiContext["store"], "runUsage">, run: Run) {
  // The served form: redacted, only named fields.
  const steps = (publicRun(run).steps ?? []) as StepJson[];
  const timed = steps.map((step) => {
    const from = step.startedAt ? Date.parse(step.startedAt) : NaN;
    const to = step.finishedAt ? Date.parse(step.finishedAt) : NaN;
    return { ...step, durationMs: Number.isFinite(from) && Number.isFinite(to) ? to - from : null, from, to };
  });
  // A call is recorded when its answer arrives, so it belongs to the step running then.
  const stepAt = (at: number) => timed.find((step) => step.from <= at && (Number.isNaN(step.to) || at <= step.to))?.id ?? null;
  const turns = (await store.runUsage(run.id)).map((call) => ({
    model: call.model,
    inputTokens: call.inputTokens,
    outputTokens: call.outputTokens,
    cacheWriteTokens: call.cacheWriteTokens,
    cacheReadTokens: call.cacheReadTokens,
    costMicros: call.costMicros,
    costUsd: call.costMicros / 1_000_000,
    at: call.at.toISOString(),
    step: stepAt(call.at.getTime()),
  }));
  return { runId: run.id, steps: timed.map(({ from: _from, to: _to, ...step }) => step), turns };
}
