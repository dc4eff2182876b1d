import { describe, expect, it } from "vitest";
import type { NewRun, Run } from "../../src/core/run.js";
import type { RunFilter, Store } from "../../src/store/types.js";

/**
 * The listing the API pages through, on every backend: runs of the repositories a person may read
 * (named in any case), by task, status, actor and creation time, a page at a time after a cursor.
 */
export function runListingContract(store: () => Store): void {
  describe("listing runs for the API", () => {
    const seeded: Run[] = [];
    const tick = () => new Promise((resolve) => setTimeout(resolve, 3));
    const ids = (runs: Run[]) => runs.map((run) => run.id);
    const base = (overrides: Partial<NewRun>): NewRun => ({ repo: "Listing-Org/alpha", number: 1, kind: "issue", task: "implement", trigger: "label", actor: "Octocat", ...overrides });
    /** Newest first, as the store lists them: the order every expectation below is in. */
    const newest = (keep: (run: Run) => boolean) => [...seeded].reverse().filter(keep);

    it("is seeded with runs across repositories, tasks and people", async () => {
      // Each on its own number: one queued run per task and target is all the store allows.
      const specs: Partial<NewRun>[] = [
        { repo: "Listing-Org/alpha", task: "implement", actor: "Octocat" },
        { repo: "listing-org/beta", task: "plan", actor: "hubot" },
        { repo: "Listing-Org/alpha", task: "review", kind: "pull_request", trigger: "pull_request", actor: "octocat" },
        { repo: "listing-org/gamma", task: "implement", actor: "octocat" },
        { repo: "listing-org/beta", task: "implement", actor: "Octocat" },
        { repo: "Listing-Org/alpha", task: "ask", trigger: "command", actor: "hubot" },
        { repo: "Listing-Org/alpha", task: "implement", actor: "monalisa" },
      ];
      for (const [index, spec] of specs.entries()) {
        seeded.push(await store().createRun(base({ ...spec, number: 100 + index })));
        // Creation times in distinct milliseconds, so `since`/`until` can name a point between two runs.
        await tick();
      }
      await store().updateRun(seeded[0]!.id, { status: "succeeded" });
      await store().updateRun(seeded[3]!.id, { status: "failed" });
      expect(seeded).toHaveLength(7);
    });

    const readable = ["listing-org/alpha", "LISTING-ORG/BETA"];
    const inReadable = (run: Run) => run.repo.toLowerCase() !== "listing-org/gamma";

    it("lists only runs of the repositories named, in any case", async () => {
      expect(ids(await store().listRuns({ repos: readable }))).toEqual(ids(newest(inReadable)));
      expect(await store().listRuns({ repos: [] })).toEqual([]);
    });

    it("filters by task, status, actor (in any case) and creation time", async () => {
      const list = (filter: RunFilter) => store().listRuns({ repos: readable, ...filter }).then(ids);
      expect(await list({ task: "implement" })).toEqual(ids(newest((r) => inReadable(r) && r.task === "implement")));
      expect(await list({ statuses: ["succeeded"] })).toEqual([seeded[0]!.id]);
      expect(await list({ actor: "OCTOCAT" })).toEqual(ids(newest((r) => inReadable(r) && r.actor.toLowerCase() === "octocat")));
      const middle = seeded[2]!.createdAt;
      expect(await list({ since: middle })).toEqual(ids(newest((r) => inReadable(r) && r.createdAt >= middle)));
      expect(await list({ until: middle })).toEqual(ids(newest((r) => inReadable(r) && r.createdAt < middle)));
      expect(await list({ repo: "Listing-Org/alpha", task: "implement", actor: "monalisa" })).toEqual([seeded[6]!.id]);
    });

    it("pages after a cursor without duplicates or gaps", async () => {
      const all = ids(newest(inReadable));
      const seen: string[] = [];
      let after: RunFilter["after"];
      for (let page = 0; page < 10; page++) {
        const runs = await store().listRuns({ repos: readable, limit: 2, ...(after ? { after } : {}) });
        if (runs.length === 0) break;
        seen.push(...ids(runs));
        const last = runs[runs.length - 1]!;
        after = { createdAt: last.createdAt, id: last.id };
      }
      expect(seen).toEqual(all);
    });
  });
}
