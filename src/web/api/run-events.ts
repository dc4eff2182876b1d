import { redactOutput } from "../../core/redactor.js";
import { type ApiAnswer, type ApiContext, notFound, readableRun } from "./context.js";
import { parseInput } from "./http.js";
import { runEventsQuery, runIdParams } from "./schemas.js";

/**
 * A run's event log, a page at a time: the tool calls and commands of a run the caller may read.
 * The log was redacted when it was written; it is redacted again on the way out, so a secret the
 * process learned since is not served either.
 */
export async function getRunEvents(ctx: ApiContext): Promise<ApiAnswer> {
  const { id } = parseInput(runIdParams, ctx.params);
  const { after, limit } = parseInput(runEventsQuery, ctx.query);
  const run = await readableRun(ctx, id);
  if (!run) return notFound;
  return { status: 200, body: await eventsPage(ctx.store, run.id, after, limit) };
}

/** A page of a readable run's events, redacted: what `getRunEvents` serves. */
export async function eventsPage(store: Pick<ApiContext["store"], "listRunEvents">, runId: string, after: number, limit: number) {
  // One more than the page, to know whether another follows.
  const stored = await store.listRunEvents(runId, { afterSeq: after, limit: limit + 1 });
  const page = stored.slice(0, limit);
  const events = page.map((event) => ({
    seq: event.seq,
    at: event.at.toISOString(),
    step: event.step,
    kind: event.kind,
    name: redactOutput(event.name),
    summary: redactOutput(event.summary),
    output: event.output === null ? null : redactOutput(event.output),
    exitCode: event.exitCode,
    durationMs: event.durationMs,
    truncated: event.truncated,
  }));
  return { runId, events, nextAfter: stored.length > limit ? (page.at(-1)?.seq ?? null) : null };
}
