import { describe, expect, it } from "vitest";
import type { NewRun } from "../../src/core/run.js";
import type { Store, UsageEntry } from "../../src/store/types.js";

/**
 * The ledger as the API reads it, on every backend: one run's model calls in order, and the spend
 * summed by repository, month, task and person over repositories named in any case.
 */
export function usageReadsContract(store: () => Store): void {
  describe("reading the usage ledger for the API", () => {
    const run = (overrides: Partial<NewRun>): NewRun => ({ repo: "Usage-Org/alpha", number: 1, kind: "issue", task: "implement", trigger: "label", actor: "octocat", ...overrides });
    const entry = (overrides: Partial<UsageEntry>): UsageEntry => ({ repo: "Usage-Org/alpha", model: "claude-sonnet-4-5", inputTokens: 10, outputTokens: 5, costMicros: 100, ...overrides });

    it("lists a run's model calls oldest first", async () => {
      const { id } = await store().createRun(run({ number: 201 }));
      await store().addUsage(entry({ runId: id, costMicros: 2, at: new Date("2026-11-02T10:00:01Z"), cacheReadTokens: 7 }));
      await store().addUsage(entry({ runId: id, costMicros: 1, at: new Date("2026-11-02T10:00:00Z") }));
      const calls = await store().runUsage(id);
      expect(calls.map((call) => call.costMicros)).toEqual([1, 2]);
      expect(calls[1]).toEqual({ model: "claude-sonnet-4-5", inputTokens: 10, outputTokens: 5, cacheWriteTokens: 0, cacheReadTokens: 7, costMicros: 2, at: new Date("2026-11-02T10:00:01Z") });
      expect(await store().runUsage("00000000-0000-4000-8000-000000000000")).toEqual([]);
    });

    it("sums the spend by repository, month, task and person over the repositories named", async () => {
      const implement = await store().createRun(run({ number: 202, actor: "octocat" }));
      const plan = await store().createRun(run({ repo: "usage-org/beta", number: 203, task: "plan", actor: "hubot" }));
      const hidden = await store().createRun(run({ repo: "usage-org/hidden", number: 204 }));
      await store().addUsage(entry({ runId: implement.id, costMicros: 300, at: new Date("2026-09-30T23:59:59Z") }));
      await store().addUsage(entry({ runId: implement.id, costMicros: 40, at: new Date("2026-10-01T00:00:00Z") }));
      await store().addUsage(entry({ runId: implement.id, costMicros: 2, at: new Date("2026-10-15T00:00:00Z") }));
      await store().addUsage(entry({ runId: plan.id, repo: "usage-org/beta", costMicros: 5, at: new Date("2026-10-03T00:00:00Z") }));
      await store().addUsage(entry({ runId: hidden.id, repo: "usage-org/hidden", costMicros: 9999, at: new Date("2026-10-03T00:00:00Z") }));
      await store().addUsage(entry({ repo: "usage-org/beta", costMicros: 7, at: new Date("2026-10-04T00:00:00Z") }));

      const groups = await store().usageBreakdown({ repos: ["USAGE-ORG/ALPHA", "usage-org/beta"], since: new Date("2026-09-01T00:00:00Z"), until: new Date("2026-11-01T00:00:00Z") });
      const brief = groups.map(({ repo, month, task, actor, costMicros, entries }) => ({ repo, month, task, actor, costMicros, entries }));
      expect(brief).toEqual([
        { repo: "Usage-Org/alpha", month: "2026-09", task: "implement", actor: "octocat", costMicros: 300, entries: 1 },
        { repo: "Usage-Org/alpha", month: "2026-10", task: "implement", actor: "octocat", costMicros: 42, entries: 2 },
        // Spend recorded without a run sorts first, as null does.
        { repo: "usage-org/beta", month: "2026-10", task: null, actor: null, costMicros: 7, entries: 1 },
        { repo: "usage-org/beta", month: "2026-10", task: "plan", actor: "hubot", costMicros: 5, entries: 1 },
      ]);
      expect(groups[1]).toMatchObject({ inputTokens: 20, outputTokens: 10, cacheWriteTokens: 0, cacheReadTokens: 0 });
      const october = await store().usageBreakdown({ repos: ["usage-org/alpha"], since: new Date("2026-10-01T00:00:00Z"), until: new Date("2026-10-15T00:00:00Z") });
      expect(october.map((group) => group.costMicros)).toEqual([40]);
      expect(await store().usageBreakdown({ repos: [] })).toEqual([]);
    });
  });
}
