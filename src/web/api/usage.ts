import type { UsageGroup } from "../../store/types.js";
import type { ApiAnswer, ApiContext } from "./context.js";
import { parseInput } from "./http.js";
import { usageQuery } from "./schemas.js";

/**
 * Spend over the repositories the caller may read: the store sums the ledger by repository,
 * month, task and person in one query; this rolls those groups up into the three views.
 */

type Totals = { inputTokens: number; outputTokens: number; cacheWriteTokens: number; cacheReadTokens: number; costMicros: number; calls: number };
const zero = (): Totals => ({ inputTokens: 0, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0, costMicros: 0, calls: 0 });

function add(into: Totals, group: UsageGroup): void {
  into.inputTokens += group.inputTokens;
  into.outputTokens += group.outputTokens;
  into.cacheWriteTokens += group.cacheWriteTokens;
  into.cacheReadTokens += group.cacheReadTokens;
  into.costMicros += group.costMicros;
  into.calls += group.entries;
}

function rollUp<K extends Record<string, unknown>>(groups: readonly UsageGroup[], keyOf: (group: UsageGroup) => K): (K & Totals & { costUsd: number })[] {
  const sums = new Map<string, K & Totals>();
  for (const group of groups) {
    const key = keyOf(group);
    const id = JSON.stringify(key);
    const entry = sums.get(id) ?? { ...key, ...zero() };
    add(entry, group);
    sums.set(id, entry);
  }
  return [...sums.values()].map((entry) => ({ ...entry, costUsd: entry.costMicros / 1_000_000 }));
}

export async function usage(ctx: ApiContext): Promise<ApiAnswer> {
  const query = parseInput(usageQuery, ctx.query);
  const readable = [...ctx.caller.readable];
  const groups = await ctx.store.usageBreakdown({
    repos: query.repo ? readable.filter((repo) => repo === query.repo!.toLowerCase()) : readable,
    ...(query.since ? { since: new Date(query.since) } : {}),
    ...(query.until ? { until: new Date(query.until) } : {}),
  });
  const total = zero();
  for (const group of groups) add(total, group);
  return {
    status: 200,
    body: {
      since: query.since ?? null,
      until: query.until ?? null,
      total: { ...total, costUsd: total.costMicros / 1_000_000 },
      // Names as GitHub matches them: one repository whatever case its runs were recorded in.
      byRepoMonth: rollUp(groups, (group) => ({ repo: group.repo.toLowerCase(), month: group.month })),
      byTask: rollUp(groups, (group) => ({ task: group.task })),
      byPerson: rollUp(groups, (group) => ({ actor: group.actor?.toLowerCase() ?? null })),
    },
  };
}
