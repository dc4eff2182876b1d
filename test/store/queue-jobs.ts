import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobQueue } from "../../src/runs/queue.js";
import type { Database } from "../../src/store/open.js";
import { isRetryable } from "../../src/store/queue-health.js";

/**
 * Agenda's job records as the queue page reads them, on every backend, with a real queue in this
 * process: depth by name, failed jobs with their repository (from their run or their own data),
 * and the conditional requeue a retry is — of two at once, one wins.
 */
export function queueJobsContract(database: () => Database): void {
  describe("queue job records", () => {
    let queue: JobQueue;
    const attempts = new Map<string, number>();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let runId = "";

    const until = async <T>(read: () => Promise<T | undefined>, what: string): Promise<T> => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const value = await read();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    const failedOnce = (id: string, count: number) =>
      until(async () => {
        const job = await database().queueJobs.job(id);
        return job && job.failCount === count && isRetryable(job) ? job : undefined;
      }, `job ${id} to fail ${count} time(s)`);

    beforeAll(async () => {
      queue = new JobQueue(database(), { concurrency: 2, lockLifetimeMs: 60_000, pollMs: 50 });
      await queue.ready();
      queue.define<{ key: string }>("contract-fails", async ({ key }) => {
        const attempt = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, attempt);
        throw new Error(`attempt ${attempt} of ${key} failed`);
      });
      queue.define("contract-holds", () => held);
      queue.define("contract-backs-off", async () => {
        throw new Error("backs off");
      }, { backoff: () => 3_600_000 });
      await queue.start();
      runId = (await database().store.createRun({ repo: "Jobs-Org/Widgets", number: 41, kind: "issue", task: "implement", trigger: "label", actor: "octocat" })).id;
    });

    afterAll(async () => {
      release();
      await queue?.drain(5_000);
    });

    it("lists failed jobs newest first, with the repository of their run or of their own data", async () => {
      const ofRun = await queue.enqueue("contract-fails", { key: "of-run", runId });
      await failedOnce(ofRun, 1);
      const ofTrigger = await queue.enqueue("contract-fails", { key: "of-trigger", owner: "jobs-org", repo: "gadgets", number: 7 });
      await failedOnce(ofTrigger, 1);
      const ofNone = await queue.enqueue("contract-fails", { key: "of-none", runId: "not-a-run-id" });
      await failedOnce(ofNone, 1);

      const all = await database().queueJobs.failed({ all: true }, 50);
      expect(all.map((job) => job.id).slice(0, 3)).toEqual([ofNone, ofTrigger, ofRun]);
      expect(all.find((job) => job.id === ofRun)).toMatchObject({
        name: "contract-fails",
        failReason: "attempt 1 of of-run failed",
        failCount: 1,
        nextRunAt: null,
        lockedAt: null,
        runId,
        runStatus: "queued",
        repo: "Jobs-Org/Widgets",
        number: 41,
      });
      expect(all.find((job) => job.id === ofTrigger)).toMatchObject({ runId: null, repo: "jobs-org/gadgets", number: 7 });
      expect(all.find((job) => job.id === ofNone)).toMatchObject({ runId: null, repo: null, number: null });
      expect(all.every((job) => job.failedAt instanceof Date)).toBe(true);

      const readable = await database().queueJobs.failed({ repos: ["jobs-org/widgets", "JOBS-ORG/GADGETS"] }, 50);
      expect(readable.map((job) => job.id)).toEqual([ofTrigger, ofRun]);
      expect((await database().queueJobs.failed({ repos: ["jobs-org/widgets"] }, 1)).map((job) => job.id)).toEqual([ofRun]);
      expect(await database().queueJobs.failed({ repos: [] }, 50)).toEqual([]);
      expect(await database().queueJobs.failed({ all: true }, 1)).toHaveLength(1);
    });

    it("requeues a failed job once however many retries of that failure race, and not on a stale fail count", async () => {
      const id = await queue.enqueue("contract-fails", { key: "raced" });
      await failedOnce(id, 1);
      const retries = Array.from({ length: 5 }, () => database().queueJobs.requeueFailed(id, { by: "dashboard:octocat", failCount: 1 }));
      expect((await Promise.all(retries)).filter(Boolean)).toHaveLength(1);
      await failedOnce(id, 2);
      expect(attempts.get("raced")).toBe(2);
      expect((await database().queueJobs.job(id))?.failReason).toBe("attempt 2 of raced failed");
      // The failure those retries saw is past: retrying it again changes nothing.
      expect(await database().queueJobs.requeueFailed(id, { by: "dashboard:octocat", failCount: 1 })).toBe(false);
      expect(await database().queueJobs.requeueFailed(id, { by: "dashboard:octocat" })).toBe(true);
      await failedOnce(id, 3);
      expect(attempts.get("raced")).toBe(3);
    });

    it("leaves a failed job alone that its backoff has rescheduled", async () => {
      const id = await queue.enqueue("contract-backs-off", {});
      const job = await until(async () => {
        const read = await database().queueJobs.job(id);
        return read?.failCount === 1 && read.nextRunAt ? read : undefined;
      }, "the job to fail and be rescheduled");
      expect(job.nextRunAt!.getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
      expect((await database().queueJobs.failed({ all: true }, 50)).map((failed) => failed.id)).toContain(id);
      expect(await database().queueJobs.requeueFailed(id, { by: "dashboard:octocat" })).toBe(false);
      expect(await database().queueJobs.requeueFailed(id, { by: "dashboard:octocat", failCount: 1 })).toBe(false);
    });

    it("never requeues a job that has not failed, nor one no job could be", async () => {
      const running = await queue.enqueue("contract-holds", {});
      await until(async () => ((await database().queueJobs.job(running))?.lockedAt ? true : undefined), "the held job to be locked");
      // What this process's heartbeat reports as its jobs running.
      await until(async () => (queue.runningJobs === 1 ? true : undefined), "the held job's handler to run");
      expect(await database().queueJobs.requeueFailed(running, { by: "dashboard:octocat" })).toBe(false);
      expect(await database().queueJobs.requeueFailed("0000", { by: "dashboard:octocat" })).toBe(false);
      expect(await database().queueJobs.job("../etc")).toBeNull();
    });

    it("counts due, scheduled and locked jobs by name, and how long the oldest due one has waited", async () => {
      // No worker here takes these names: they stay due, or scheduled.
      await queue.enqueue("contract-nobody-takes", {});
      await queue.enqueue("contract-nobody-takes", {});
      await queue.enqueueIn(3_600_000, "contract-nobody-takes", {});
      const depth = await database().queueJobs.depth();
      expect(depth.find((row) => row.name === "contract-nobody-takes")).toMatchObject({ due: 2, scheduled: 1, locked: 0 });
      expect(depth.find((row) => row.name === "contract-nobody-takes")?.oldestDueMs).toBeGreaterThanOrEqual(0);
      expect(depth.find((row) => row.name === "contract-holds")).toMatchObject({ due: 0, scheduled: 0, locked: 1, oldestDueMs: null });
      // Failed jobs are neither due nor locked; one its backoff retries later is scheduled.
      expect(depth.find((row) => row.name === "contract-fails")).toBeUndefined();
      expect(depth.find((row) => row.name === "contract-backs-off")).toMatchObject({ due: 0, scheduled: 1, locked: 0 });
    });
  });
}
