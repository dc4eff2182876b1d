import { describe, expect, it } from "vitest";
import type { NewRun } from "../../src/core/run.js";
import type { Store, UsageBreakdownFilter, UsageEntry, UsageReport, UsageTotals } from "../../src/store/types.js";
import { usageReportOf } from "../../src/store/usage-report.js";

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

    // The report may read running sums for whole months and days, and the ledger for parts of
    // days: however a range is cut, the spend is the same, also after parallel writes.
    it("reports a month alike whether a range takes it whole, by days, to a second, or open, after 200 entries added in parallel", async () => {
      const repo = "Sums-Org/Parallel";
      const implement = await store().createRun(run({ repo, number: 301, actor: "Octocat" }));
      const review = await store().createRun(run({ repo, number: 302, task: "review", actor: "hubot" }));
      // March 2026, on its first thirty days at many hours.
      const at = (i: number) => new Date(Date.UTC(2026, 2, 1 + (i % 30), i % 24, 0, 0));
      await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          store().addUsage(entry({ repo, runId: i % 3 === 2 ? undefined : i % 3 === 0 ? implement.id : review.id, costMicros: i + 1, inputTokens: 2 * i, at: at(i) })),
        ),
      );
      const sum = (rest: number, of: (i: number) => number) => Array.from({ length: 200 }, (_, i) => i).filter((i) => i % 3 === rest).reduce((total, i) => total + of(i), 0);
      const sums = (rest: number, entries: number) => ({ costMicros: sum(rest, (i) => i + 1), inputTokens: sum(rest, (i) => 2 * i), entries });
      const expected = {
        byRepoMonth: [{ repo: "sums-org/parallel", month: "2026-03", costMicros: 20_100, inputTokens: 39_800, entries: 200 }],
        byTask: [{ task: null, ...sums(2, 66) }, { task: "implement", ...sums(0, 67) }, { task: "review", ...sums(1, 67) }],
        byPerson: [{ actor: null, ...sums(2, 66) }, { actor: "hubot", ...sums(1, 67) }, { actor: "octocat", ...sums(0, 67) }],
      };
      const brief = (report: UsageReport) => ({
        byRepoMonth: report.byRepoMonth.map(({ repo: name, month, costMicros, inputTokens, entries }) => ({ repo: name, month, costMicros, inputTokens, entries })),
        byTask: report.byTask.map(({ task, costMicros, inputTokens, entries }) => ({ task, costMicros, inputTokens, entries })),
        byPerson: report.byPerson.map(({ actor, costMicros, inputTokens, entries }) => ({ actor, costMicros, inputTokens, entries })),
      });
      const ranges = [
        { since: new Date("2026-03-01T00:00:00Z"), until: new Date("2026-04-01T00:00:00Z") },
        { since: new Date("2026-03-01T00:00:00Z"), until: new Date("2026-03-31T00:00:00Z") },
        { since: new Date("2026-02-28T23:59:59Z"), until: new Date("2026-03-31T23:59:59Z") },
        {},
      ];
      for (const range of ranges) expect(brief(await store().usageReport({ repos: [repo.toUpperCase()], ...range }))).toEqual(expected);
    });

    it("reports the spend by repository and month, task and person, names in any case as one", async () => {
      const shouting = await store().createRun(run({ repo: "REPORT-ORG/App", number: 304, task: "ask", actor: "OCTOCAT" }));
      const quiet = await store().createRun(run({ repo: "report-org/app", number: 305, task: "ask", actor: "octocat" }));
      await store().addUsage(entry({ repo: "REPORT-ORG/App", runId: shouting.id, costMicros: 11, at: new Date("2026-05-03T00:00:00Z") }));
      await store().addUsage(entry({ repo: "report-org/app", runId: quiet.id, costMicros: 22, at: new Date("2026-05-20T00:00:00Z") }));
      await store().addUsage(entry({ repo: "report-org/app", costMicros: 5, at: new Date("2026-06-01T00:00:00Z") }));
      const report = await store().usageReport({ repos: ["Report-Org/APP"] });
      const brief = <T extends UsageTotals>(rows: T[]) => rows.map(({ costMicros: _c, entries: _e, inputTokens: _i, outputTokens: _o, cacheWriteTokens: _w, cacheReadTokens: _r, ...key }) => ({ ...key, costMicros: _c, entries: _e }));
      expect(brief(report.byRepoMonth)).toEqual([
        { repo: "report-org/app", month: "2026-05", costMicros: 33, entries: 2 },
        { repo: "report-org/app", month: "2026-06", costMicros: 5, entries: 1 },
      ]);
      expect(brief(report.byTask)).toEqual([{ task: null, costMicros: 5, entries: 1 }, { task: "ask", costMicros: 33, entries: 2 }]);
      expect(brief(report.byPerson)).toEqual([{ actor: null, costMicros: 5, entries: 1 }, { actor: "octocat", costMicros: 33, entries: 2 }]);
      expect(report.total).toEqual({ inputTokens: 30, outputTokens: 15, cacheWriteTokens: 0, cacheReadTokens: 0, costMicros: 38, entries: 3 });
      expect(await store().usageReport({ repos: [] })).toEqual({ total: { inputTokens: 0, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0, costMicros: 0, entries: 0 }, byRepoMonth: [], byTask: [], byPerson: [] });
    });

    it("reports a range that starts and ends inside days and months: their parts, and the days and months between whole", async () => {
      const repo = "sums-org/spans";
      const { id } = await store().createRun(run({ repo, number: 303 }));
      // One entry a day from 10 January to 20 April 2026, costing its day of the year.
      const days = Array.from({ length: 101 }, (_, i) => new Date(Date.UTC(2026, 0, 10 + i, 12)));
      for (const [i, at] of days.entries()) await store().addUsage(entry({ repo, runId: id, costMicros: 10 + i, at }));
      const since = new Date("2026-02-15T12:00:00Z");
      const until = new Date("2026-04-10T00:00:00Z");
      const { byRepoMonth: groups } = await store().usageReport({ repos: [repo], since, until });
      const expected = ["2026-02", "2026-03", "2026-04"].map((month) => {
        const inMonth = days.map((at, i) => ({ at, cost: 10 + i })).filter(({ at }) => at >= since && at < until && at.toISOString().startsWith(month));
        return { month, costMicros: inMonth.reduce((total, day) => total + day.cost, 0), entries: inMonth.length };
      });
      expect(groups.map(({ month, costMicros, entries }) => ({ month, costMicros, entries }))).toEqual(expected);
      const fromMidMonth = await store().usageReport({ repos: [repo], since });
      expect(fromMidMonth.byRepoMonth.map((group) => group.entries)).toEqual([14, 31, 20]);
      const untilMidMonth = await store().usageReport({ repos: [repo], until });
      expect(untilMidMonth.byRepoMonth.map((group) => group.entries)).toEqual([22, 28, 31, 9]);
      expect(untilMidMonth.byTask).toEqual([expect.objectContaining({ task: "implement", entries: 90 })]);
    });

    it("reports what the breakdown's groups sum to, over any range", async () => {
      const repos = ["usage-org/alpha", "usage-org/beta", "sums-org/parallel", "sums-org/spans", "report-org/app"];
      const filters: UsageBreakdownFilter[] = [
        { repos },
        { repos, since: new Date("2026-02-01T00:00:00Z"), until: new Date("2026-11-01T00:00:00Z") },
        { repos, since: new Date("2026-02-20T08:00:00Z"), until: new Date("2026-10-02T00:00:00Z") },
        { repos: repos.slice(2), until: new Date("2026-03-15T00:00:00Z") },
        { repos: repos.slice(2), since: new Date("2026-02-15T13:00:00Z"), until: new Date("2026-03-09T07:30:00Z") },
        { repos, since: new Date("2026-03-02T00:00:00Z") },
      ];
      for (const filter of filters) expect(await store().usageReport(filter)).toEqual(usageReportOf(await store().usageBreakdown(filter)));
    });
  });
}
