import type { Collection } from "mongodb";
import type { RunTask } from "../../core/run.js";
import { isDuplicateKeyError } from "../errors.js";
import { MAX_RUN_USAGE, type UsageBreakdownFilter, type UsageEntry, type UsageGroup, type UsageRecord, type UsageTotals } from "../types.js";
import { usageSpans } from "../usage-spans.js";

/**
 * Reading the usage ledger for the API, as src/store/postgres/usage.ts does: one run's model calls,
 * and the spend summed by repository, month, task and person (the last two from each entry's run).
 */

export type UsageDoc = Omit<UsageEntry, "at"> & { _id: string; at: Date };

/** Compares strings as GitHub compares names: letters of either case alike. */
/** The usage ledger's totals, as a `$group` sums them. */
export const USAGE_SUMS = {
  inputTokens: { $sum: "$inputTokens" },
  outputTokens: { $sum: "$outputTokens" },
  cacheWriteTokens: { $sum: "$cacheWriteTokens" },
  cacheReadTokens: { $sum: "$cacheReadTokens" },
  costMicros: { $sum: "$costMicros" },
  entries: { $sum: 1 },
} as const;

export const CASELESS = { locale: "en", strength: 2 } as const;

export async function runUsage(usage: Collection<UsageDoc>, runId: string): Promise<UsageRecord[]> {
  const docs = await usage.find({ runId }).sort({ at: 1, _id: 1 }).limit(MAX_RUN_USAGE).toArray();
  return docs.map((doc) => ({
    model: doc.model,
    inputTokens: doc.inputTokens,
    outputTokens: doc.outputTokens,
    cacheWriteTokens: doc.cacheWriteTokens ?? 0,
    cacheReadTokens: doc.cacheReadTokens ?? 0,
    costMicros: doc.costMicros,
    at: doc.at,
  }));
}

/**
 * The ledger summed by repository, month (UTC, YYYY-MM), task and person, as ai_usage_monthly
 * keeps it: the group is the id, so the id's unique index makes each group once.
 */
export type UsageMonthDoc = { _id: { repo: string; month: string; task: RunTask | null; actor: string | null } } & UsageTotals;

const monthOf = (at: Date) => at.toISOString().slice(0, 7);

/**
 * Adds one entry to its month's group (task and person its run's), made on first use. The entry is in the ledger first: a
 * crash between the two writes leaves the sums short by it, never counting it twice (a standalone
 * server has no transactions; PostgreSQL does both in one).
 */
export async function addToMonth(monthly: Collection<UsageMonthDoc>, entry: UsageDoc, run: { task: RunTask; actor: string } | null): Promise<void> {
  // In this order, always: an id matches a document only with its fields in the same order.
  const _id = { repo: entry.repo, month: monthOf(entry.at), task: run?.task ?? null, actor: run?.actor ?? null };
  const add = { $inc: { inputTokens: entry.inputTokens, outputTokens: entry.outputTokens, cacheWriteTokens: entry.cacheWriteTokens ?? 0, cacheReadTokens: entry.cacheReadTokens ?? 0, costMicros: entry.costMicros, entries: 1 } };
  try {
    await monthly.updateOne({ _id }, add, { upsert: true });
  } catch (error) {
    // Two first entries of a group raced to make it; it exists now.
    if (!isDuplicateKeyError(error)) throw error;
    await monthly.updateOne({ _id }, add);
  }
}

/** Fills the monthly sums from the ledger once, when they are new (the first start of a release with them). */
export async function fillMonthsOnce(usage: Collection<UsageDoc>, monthly: Collection<UsageMonthDoc>): Promise<void> {
  if ((await monthly.estimatedDocumentCount()) > 0 || (await usage.estimatedDocumentCount()) === 0) return;
  await usage
    .aggregate([
      ...groupedByMonth({}),
      { $project: { _id: { repo: "$repo", month: "$month", task: "$task", actor: "$actor" }, ...TOTALS } },
      { $merge: { into: monthly.collectionName, whenMatched: "keepExisting", whenNotMatched: "insert" } },
    ])
    .toArray();
}

/** Ledger entries matching `match`, summed by the report's groups (task and person from each one's run). */
function groupedByMonth(match: Record<string, unknown>): Record<string, unknown>[] {
  const first = (field: string) => ({ $ifNull: [{ $arrayElemAt: [`$run.${field}`, 0] }, null] });
  return [
    { $match: match },
    { $lookup: { from: "ai_runs", localField: "runId", foreignField: "_id", as: "run" } },
    {
      $group: {
        _id: { repo: "$repo", month: { $dateToString: { format: "%Y-%m", date: "$at", timezone: "UTC" } }, task: first("task"), actor: first("actor") },
        ...USAGE_SUMS,
      },
    },
    { $project: GROUP_FIELDS },
  ];
}

const TOTALS = { inputTokens: 1, outputTokens: 1, cacheWriteTokens: 1, cacheReadTokens: 1, costMicros: 1, entries: 1 } as const;
/** A group as usageBreakdown answers it, from a document whose id is the group. */
const GROUP_FIELDS = { _id: 0, repo: "$_id.repo", month: "$_id.month", task: "$_id.task", actor: "$_id.actor", ...TOTALS } as const;

/** Whole months from the monthly sums, parts of months from the ledger (../usage-spans.ts), as on PostgreSQL. */
export async function usageBreakdown(monthly: Collection<UsageMonthDoc>, usage: Collection<UsageDoc>, filter: UsageBreakdownFilter): Promise<UsageGroup[]> {
  if (filter.repos.length === 0) return [];
  const repo = { $in: [...filter.repos] };
  const { months, ledger } = usageSpans(filter.since, filter.until);
  const month = { ...(months?.from ? { $gte: months.from } : {}), ...(months?.to ? { $lt: months.to } : {}) };
  const pipeline: Record<string, unknown>[] = [
    // With no whole month the sums give nothing, and the ledger's parts are all.
    { $match: months ? { "_id.repo": repo, ...(months.from || months.to ? { "_id.month": month } : {}) } : { _id: { $exists: false } } },
    { $project: GROUP_FIELDS },
  ];
  for (const span of ledger) {
    const at = { ...(span.from ? { $gte: span.from } : {}), ...(span.to ? { $lt: span.to } : {}) };
    pipeline.push({ $unionWith: { coll: usage.collectionName, pipeline: groupedByMonth({ repo, at }) } });
  }
  pipeline.push({ $sort: { month: 1, repo: 1, task: 1, actor: 1 } });
  // Repository names match without regard to case, through the collation and its indexes.
  return monthly.aggregate<UsageGroup>(pipeline, { collation: CASELESS }).toArray();
}
