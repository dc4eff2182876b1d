import { describe, expect, it } from "vitest";
import type { NewRun } from "../../src/core/run.js";
import type { WorkerHeartbeat } from "../../src/store/queue-health.js";
import type { Store } from "../../src/store/types.js";

/**
 * Worker heartbeats and pickup latency on every backend: one record per process, its last-seen
 * time and silence by the database's clock; pickup percentiles by nearest rank over a window.
 */
export function workerHeartbeatContract(store: () => Store): void {
  const beat = (id: string, overrides: Partial<WorkerHeartbeat> = {}): WorkerHeartbeat => ({
    id,
    name: `host-a:${id}`,
    role: "worker",
    pid: 4100,
    host: "host-a",
    version: "0.1.0",
    concurrency: 5,
    startedAt: new Date("2026-11-01T10:00:00.000Z"),
    jobsRunning: 0,
    ...overrides,
  });
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

  describe("worker heartbeats", () => {
    it("keeps one record per worker, updated by each beat", async () => {
      await store().recordWorker(beat("w-1"));
      await store().recordWorker(beat("w-2", { role: "all", pid: 4200, name: "host-a:w-2" }));
      const first = await store().listWorkers();
      expect(first.map((w) => w.id)).toEqual(["w-1", "w-2"]);
      expect(first[1]).toMatchObject({ role: "all", pid: 4200, host: "host-a", version: "0.1.0", concurrency: 5, jobsRunning: 0, startedAt: new Date("2026-11-01T10:00:00.000Z") });
      expect(first[0]!.silentMs).toBeGreaterThanOrEqual(0);

      await tick();
      await store().recordWorker(beat("w-1", { jobsRunning: 3 }));
      const second = await store().listWorkers();
      expect(second).toHaveLength(2);
      const w1 = second.find((w) => w.id === "w-1")!;
      expect(w1.jobsRunning).toBe(3);
      expect(w1.lastSeenAt.getTime()).toBeGreaterThan(first[0]!.lastSeenAt.getTime());
    });

    it("removes a worker that shut down, and forgets those silent since before a time", async () => {
      await store().removeWorker("w-2");
      expect((await store().listWorkers()).map((w) => w.id)).toEqual(["w-1"]);
      await tick();
      await store().recordWorker(beat("w-3"));
      const w3 = (await store().listWorkers()).find((w) => w.id === "w-3")!;
      expect(await store().forgetWorkers(w3.lastSeenAt)).toBe(1);
      expect((await store().listWorkers()).map((w) => w.id)).toEqual(["w-3"]);
      await store().removeWorker("w-3");
      await store().removeWorker("no-such-worker");
      expect(await store().listWorkers()).toEqual([]);
    });
  });

  describe("pickup latency", () => {
    const base: NewRun = { repo: "pickup-org/app", number: 1, kind: "issue", task: "implement", trigger: "label", actor: "octocat" };

    it("gives nearest-rank p50, p95 and max of the runs started since a time, and nulls without runs", async () => {
      const from = new Date();
      expect(await store().pickupLatency(new Date(from.getTime() + 3_600_000))).toEqual({ runs: 0, p50Ms: null, p95Ms: null, maxMs: null });
      // Ten runs taken 1 s … 10 s after they were queued (start times ahead of now: nothing else is there).
      const gaps = [7000, 1000, 10_000, 3000, 5000, 2000, 9000, 4000, 8000, 6000];
      for (const [index, gap] of gaps.entries()) {
        const run = await store().createRun({ ...base, number: 500 + index });
        await store().updateRun(run.id, { status: "running", startedAt: new Date(run.createdAt.getTime() + gap) });
      }
      // Ranks ⌈0.5·10⌉ = 5 and ⌈0.95·10⌉ = 10 of the sorted gaps.
      expect(await store().pickupLatency(from)).toEqual({ runs: 10, p50Ms: 5000, p95Ms: 10_000, maxMs: 10_000 });
      // A later window holds only the runs started after it opens: the gaps 6 s … 10 s, started 5.5 s on.
      expect(await store().pickupLatency(new Date(from.getTime() + 5500))).toEqual({ runs: 5, p50Ms: 8000, p95Ms: 10_000, maxMs: 10_000 });
    });
  });
}
