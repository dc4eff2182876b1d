import type { LedgerStore } from "../../src/agent/budget.js";
import { memoryBudgetCounters } from "../../src/store/memory-budget.js";
import { emptyTotals } from "../../src/store/types.js";

/** A ledger that keeps budget counters in memory and records nothing else: for tests of what the model does, not of what it costs. */
export function forgetfulLedger(): LedgerStore {
  return {
    ...memoryBudgetCounters(),
    getRun: () => Promise.resolve(null),
    addUsage: () => Promise.resolve(),
    updateRun: () => Promise.resolve(null),
    usageForMonth: () => Promise.resolve(emptyTotals()),
  };
}
