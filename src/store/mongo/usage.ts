import type { Collection } from "mongodb";
import type { UsageEntry } from "../types.js";
import { MAX_RUN_USAGE, type UsageBreakdownFilter, type UsageGroup, type UsageRecord } from "../types.js";

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

export async function usageBreakdown(usage: Collection<UsageDoc>, filter: UsageBreakdownFilter): Promise<UsageGroup[]> {
  const at = { ...(filter.since ? { $gte: filter.since } : {}), ...(filter.until ? { $lt: filter.until } : {}) };
  const first = (field: string) => ({ $ifNull: [{ $arrayElemAt: [`$run.${field}`, 0] }, null] });
  return usage
    .aggregate<UsageGroup>(
      [
        { $match: { repo: { $in: [...filter.repos] }, ...(filter.since || filter.until ? { at } : {}) } },
        { $lookup: { from: "ai_runs", localField: "runId", foreignField: "_id", as: "run" } },
        {
          $group: {
            _id: { repo: "$repo", month: { $dateToString: { format: "%Y-%m", date: "$at", timezone: "UTC" } }, task: first("task"), actor: first("actor") },
            ...USAGE_SUMS,
          },
        },
        { $project: { _id: 0, repo: "$_id.repo", month: "$_id.month", task: "$_id.task", actor: "$_id.actor", inputTokens: 1, outputTokens: 1, cacheWriteTokens: 1, cacheReadTokens: 1, costMicros: 1, entries: 1 } },
        { $sort: { month: 1, repo: 1, task: 1, actor: 1 } },
      ],
      // Repository names match without regard to case, through the collation and its index.
      { collation: CASELESS },
    )
    .toArray();
}
