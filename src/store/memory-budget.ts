import type { BudgetCounter, Store } from "./types.js";

/**
 * Budget counters in memory, with the Store's semantics, for a process that keeps its ledger in
 * memory too (the CLI's local run, unit tests). One process and one event loop: each call's check
 * and addition happen without an await between them, so they are as atomic as the database's.
 */
export function memoryBudgetCounters(): Pick<Store, "reserveBudget" | "settleBudget" | "budgetCounters"> {
  const counters = new Map<string, BudgetCounter>();
  return {
    reserveBudget(reservations) {
      const sorted = [...reservations].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      for (const r of sorted) {
        const counter = counters.get(r.key) ?? { spentMicros: r.initialMicros ?? 0, reservedMicros: 0 };
        if (counter.spentMicros + counter.reservedMicros + r.amountMicros > r.limitMicros) {
          return Promise.resolve({ ok: false, key: r.key, ...counter });
        }
      }
      for (const r of sorted) {
        const counter = counters.get(r.key) ?? { spentMicros: r.initialMicros ?? 0, reservedMicros: 0 };
        counters.set(r.key, { ...counter, reservedMicros: counter.reservedMicros + r.amountMicros });
      }
      return Promise.resolve({ ok: true });
    },
    settleBudget(keys, reservedMicros, actualMicros) {
      for (const key of keys) {
        const counter = counters.get(key);
        if (counter) counters.set(key, { spentMicros: counter.spentMicros + actualMicros, reservedMicros: counter.reservedMicros - reservedMicros });
      }
      return Promise.resolve();
    },
    budgetCounters(keys) {
      return Promise.resolve(new Map(keys.flatMap((key) => (counters.has(key) ? [[key, { ...counters.get(key)! }] as const] : []))));
    },
  };
}
