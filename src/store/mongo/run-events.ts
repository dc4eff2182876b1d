import type { Collection } from "mongodb";
import { storable } from "../../core/safe-json.js";
import { isDuplicateKeyError } from "../errors.js";
import { MAX_RUN_EVENTS_PAGE, type RunEventEntry, runEventEntrySchema } from "../types.js";

/** A run's event log on MongoDB, as src/store/postgres/run-events.ts keeps it: one document per event, unique by run and seq. */

export type RunEventDoc = RunEventEntry & { runId: string };

export async function appendRunEvents(events: Collection<RunEventDoc>, runId: string, input: readonly RunEventEntry[]): Promise<void> {
  if (input.length === 0) return;
  const docs = input.map((event) => ({ ...runEventEntrySchema.parse(storable(event)), runId }));
  try {
    // Unordered: every new event is written even when others of the batch are there already.
    await events.insertMany(docs, { ordered: false });
  } catch (error) {
    const failures = [(error as { writeErrors?: unknown }).writeErrors ?? []].flat();
    // A seq the run already has is the same event written again.
    if (failures.length > 0 && failures.every(isDuplicateKeyError)) return;
    throw error;
  }
}

export async function listRunEvents(events: Collection<RunEventDoc>, runId: string, options: { afterSeq?: number; limit: number }): Promise<RunEventEntry[]> {
  const limit = Math.min(Math.max(options.limit, 0), MAX_RUN_EVENTS_PAGE);
  if (limit === 0) return [];
  const docs = await events
    .find({ runId, seq: { $gt: options.afterSeq ?? 0 } }, { projection: { _id: 0, runId: 0 } })
    .sort({ seq: 1 })
    .limit(limit)
    .toArray();
  return docs.map((doc) => ({
    seq: doc.seq,
    at: doc.at,
    step: doc.step ?? null,
    kind: doc.kind,
    name: doc.name,
    summary: doc.summary,
    output: doc.output ?? null,
    exitCode: doc.exitCode ?? null,
    durationMs: doc.durationMs ?? null,
    truncated: doc.truncated,
  }));
}

export async function lastRunEventSeq(events: Collection<RunEventDoc>, runId: string): Promise<number> {
  const last = await events.findOne({ runId }, { sort: { seq: -1 }, projection: { seq: 1 } });
  return last?.seq ?? 0;
}
