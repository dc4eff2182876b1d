import { describe, expect, it } from "vitest";
import type { NewRun } from "../../src/core/run.js";
import { MAX_RUN_EVENTS_PAGE, type RunEventEntry, type Store } from "../../src/store/types.js";

/**
 * A run's event log on every backend: events come back oldest first a page at a time, a batch
 * written again adds nothing, and an unknown run has none.
 */
export function runEventsContract(store: () => Store): void {
  describe("a run's event log", () => {
    const run = (number: number): NewRun => ({ repo: "events-org/alpha", number, kind: "issue", task: "implement", trigger: "label", actor: "octocat" });
    const event = (seq: number, overrides: Partial<RunEventEntry> = {}): RunEventEntry => ({
      seq,
      at: new Date(Date.UTC(2026, 10, 2, 10, 0, seq)),
      step: "implement",
      kind: "tool_call",
      name: "bash",
      summary: `echo ${seq}`,
      output: `${seq}\n`,
      exitCode: 0,
      durationMs: 12,
      truncated: false,
      ...overrides,
    });

    it("lists a run's events oldest first, every field as it was written", async () => {
      const { id } = await store().createRun(run(301));
      const command = event(2, { kind: "command", name: "test", summary: "npm test", output: "1 failing", exitCode: 1, durationMs: 1500, truncated: true });
      const edit = event(3, { name: "str_replace_based_edit_tool", summary: "create src/a.ts", output: null, exitCode: null, durationMs: null, step: null });
      // Written out of order, and in two batches.
      await store().appendRunEvents(id, [command, edit]);
      await store().appendRunEvents(id, [event(1)]);
      expect(await store().listRunEvents(id, { limit: 10 })).toEqual([event(1), command, edit]);
      expect(await store().lastRunEventSeq(id)).toBe(3);
    });

    it("pages with afterSeq and limit", async () => {
      const { id } = await store().createRun(run(302));
      await store().appendRunEvents(id, [1, 2, 3, 4, 5].map((seq) => event(seq)));
      const seqs = (events: RunEventEntry[]) => events.map((e) => e.seq);
      expect(seqs(await store().listRunEvents(id, { limit: 2 }))).toEqual([1, 2]);
      expect(seqs(await store().listRunEvents(id, { afterSeq: 2, limit: 2 }))).toEqual([3, 4]);
      expect(seqs(await store().listRunEvents(id, { afterSeq: 4, limit: 2 }))).toEqual([5]);
      expect(await store().listRunEvents(id, { afterSeq: 5, limit: 2 })).toEqual([]);
      expect(await store().listRunEvents(id, { limit: 0 })).toEqual([]);
    });

    it("never answers more than a page, whatever limit is asked", async () => {
      const { id } = await store().createRun(run(303));
      await store().appendRunEvents(id, Array.from({ length: MAX_RUN_EVENTS_PAGE + 3 }, (_, index) => event(index + 1)));
      const page = await store().listRunEvents(id, { limit: 10_000 });
      expect(page).toHaveLength(MAX_RUN_EVENTS_PAGE);
      expect(page.at(-1)?.seq).toBe(MAX_RUN_EVENTS_PAGE);
    });

    it("adds nothing when a batch is written again, and keeps the first of two writes of one seq", async () => {
      const { id } = await store().createRun(run(304));
      const batch = [event(1), event(2)];
      await store().appendRunEvents(id, batch);
      await store().appendRunEvents(id, batch);
      // A batch that overlaps what is there: only the new event is added.
      await store().appendRunEvents(id, [event(2, { summary: "a second write" }), event(3)]);
      const events = await store().listRunEvents(id, { limit: 10 });
      expect(events.map((e) => [e.seq, e.summary])).toEqual([[1, "echo 1"], [2, "echo 2"], [3, "echo 3"]]);
    });

    it("keeps each run's events apart, and has none for an unknown run", async () => {
      const first = await store().createRun(run(305));
      const second = await store().createRun(run(306));
      await store().appendRunEvents(first.id, [event(1, { summary: "first" })]);
      await store().appendRunEvents(second.id, [event(1, { summary: "second" })]);
      expect((await store().listRunEvents(second.id, { limit: 10 })).map((e) => e.summary)).toEqual(["second"]);
      const unknown = "00000000-0000-4000-8000-000000000000";
      expect(await store().listRunEvents(unknown, { limit: 10 })).toEqual([]);
      expect(await store().lastRunEventSeq(unknown)).toBe(0);
      // A run deleted (or never stored) may still be written to; nothing refers to the run's row.
      const orphan = "00000000-0000-4000-8000-0000000000ff";
      await store().appendRunEvents(orphan, [event(1)]);
      expect(await store().listRunEvents(orphan, { limit: 10 })).toEqual([event(1)]);
    });

    it("stores text that would break the database in its safe form", async () => {
      const { id } = await store().createRun(run(307));
      await store().appendRunEvents(id, [event(1, { output: "nul \u0000 here, lone \ud800 surrogate" })]);
      const [stored] = await store().listRunEvents(id, { limit: 1 });
      expect(stored?.output).toBe("nul \\u0000 here, lone \ufffd surrogate");
    });

    it("refuses an event that breaks its bounds, saying which field", async () => {
      const { id } = await store().createRun(run(308));
      await expect(store().appendRunEvents(id, [event(1, { summary: "x".repeat(501) })])).rejects.toThrow(/summary/);
      expect(await store().listRunEvents(id, { limit: 10 })).toEqual([]);
    });
  });
}
