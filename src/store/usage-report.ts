import { type UsageGroup, type UsageReport, type UsageTotals, emptyTotals } from "./types.js";

/**
 * The usage report summed from the breakdown's groups in memory: for a backend without the
 * database doing it (MongoDB), and the reference the contract suite holds the others to.
 */

export function addTo(into: UsageTotals, group: UsageTotals): void {
  into.inputTokens += group.inputTokens;
  into.outputTokens += group.outputTokens;
  into.cacheWriteTokens += group.cacheWriteTokens;
  into.cacheReadTokens += group.cacheReadTokens;
  into.costMicros += group.costMicros;
  into.entries += group.entries;
}

/** The report's order: nulls first, then by code point (names are ASCII: GitHub allows no other). */
export const byKey = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);

function rollUp<K extends Record<string, string | null>>(groups: readonly UsageGroup[], keyOf: (group: UsageGroup) => K, order: (a: K, b: K) => number): (K & UsageTotals)[] {
  const sums = new Map<string, K & UsageTotals>();
  for (const group of groups) {
    const key = keyOf(group);
    const id = JSON.stringify(key);
    const entry = sums.get(id) ?? { ...key, ...emptyTotals() };
    addTo(entry, group);
    sums.set(id, entry);
  }
  return [...sums.values()].sort(order);
}

export function usageReportOf(groups: readonly UsageGroup[]): UsageReport {
  const total = emptyTotals();
  for (const group of groups) addTo(total, group);
  return {
    total,
    byRepoMonth: rollUp(groups, (g) => ({ repo: g.repo.toLowerCase(), month: g.month }), (a, b) => byKey(a.month, b.month) || byKey(a.repo, b.repo)),
    byTask: rollUp(groups, (g) => ({ task: g.task }), (a, b) => byKey(a.task, b.task)),
    byPerson: rollUp(groups, (g) => ({ actor: g.actor?.toLowerCase() ?? null }), (a, b) => byKey(a.actor, b.actor)),
  };
}
