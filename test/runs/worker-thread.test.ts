import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { WorkerThread, yieldToMainThread } from "../../src/runs/worker-thread.js";

/**
 * The main thread's handle on a worker thread, against small workers that speak its messages.
 * (The app's own worker thread is exercised through the real process in test/web/app-process.test.ts.)
 */
const script = (source: string) => new URL(`data:text/javascript,${encodeURIComponent(`import { parentPort } from "node:worker_threads";\n${source}`)}`);
const log = { error: vi.fn() };

/** Says it is taking jobs, answers for its metrics, and exits 0 when told to stop; reports its nice value. */
const WELL_BEHAVED = script(`
parentPort.postMessage({ type: "status", processing: true, sandbox: { kind: "bubblewrap", status: "working", network: "deny" } });
parentPort.on("message", (m) => {
  if (m.type === "stop") setTimeout(() => process.exit(0), 50);
  if (m.type === "metrics") parentPort.postMessage({ type: "metrics", id: m.id, metrics: [{ name: "jobs_total", help: "jobs", type: "counter", aggregator: "sum", values: [{ value: 3, labels: {} }] }] });
});
`);

describe("WorkerThread", () => {
  it("is not processing until the worker says so, then reports what it said", async () => {
    const thread = new WorkerThread(WELL_BEHAVED, {}, log, () => undefined);
    expect(thread.queueProcessing()).toBe(false);
    await vi.waitFor(() => expect(thread.queueProcessing()).toBe(true));
    expect(thread.sandbox()).toEqual({ kind: "bubblewrap", status: "working", network: "deny" });
    expect(await thread.stop("SIGTERM", 5_000)).toBe(0);
  });

  it("asks the worker for its metrics, and gets none from one that has ended", async () => {
    const thread = new WorkerThread(WELL_BEHAVED, {}, log, () => undefined);
    expect(await thread.metrics()).toMatchObject([{ name: "jobs_total", values: [{ value: 3 }] }]);
    await thread.stop("SIGTERM", 5_000);
    expect(await thread.metrics()).toEqual([]);
    expect(thread.queueProcessing()).toBe(false);
  });

  it("tells the main thread when the worker ends without being asked, and not when it was", async () => {
    const lost = vi.fn();
    const crashing = new WorkerThread(script(`setTimeout(() => { throw new Error("boom"); }, 20);`), {}, log, lost);
    await vi.waitFor(() => expect(lost).toHaveBeenCalledWith(1));
    expect(crashing.queueProcessing()).toBe(false);
    const stopped = vi.fn();
    const thread = new WorkerThread(WELL_BEHAVED, {}, log, stopped);
    await thread.stop("SIGTERM", 5_000);
    expect(stopped).not.toHaveBeenCalled();
  });

  it("ends a worker that does not stop within the deadline", async () => {
    const stubborn = new WorkerThread(script(`setInterval(() => undefined, 1000);`), {}, log, () => undefined);
    const started = Date.now();
    expect(await stubborn.stop("SIGTERM", 200)).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("hands the worker the environment it is given, not the main thread's", async () => {
    const echo = script(`
parentPort.postMessage({ type: "status", processing: process.env.SEEN === "yes" && process.env.HOME === undefined, sandbox: { kind: "host", status: "unsandboxed", network: "allow" } });
parentPort.on("message", (m) => m.type === "stop" && process.exit(0));`);
    const thread = new WorkerThread(echo, { SEEN: "yes" }, log, () => undefined);
    await vi.waitFor(() => expect(thread.sandbox()).toBeDefined());
    expect(thread.queueProcessing()).toBe(true);
    expect(await thread.stop("SIGTERM", 5_000)).toBe(0);
  });
});

describe("the worker thread's priority", () => {
  it("is lowered for the calling thread alone", () => {
    // Field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value (after the name, in parentheses).
    const nice = (stat: string) => Number(readFileSync(stat, "utf8").split(") ")[1]!.split(" ")[16]);
    const self = readlinkSync("/proc/thread-self").split("/").pop()!;
    const others = () => readdirSync("/proc/self/task").filter((tid) => tid !== self);
    expect(nice("/proc/thread-self/stat")).toBe(0);
    yieldToMainThread();
    expect(nice("/proc/thread-self/stat")).toBe(10);
    // The process's other threads (Node's own, and the web thread in the app) keep theirs.
    expect(others().length).toBeGreaterThan(0);
    for (const tid of others()) expect(nice(`/proc/self/task/${tid}/stat`)).toBe(0);
  });
});
