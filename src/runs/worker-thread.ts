import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import path from "node:path";
import { Worker, isMainThread, parentPort } from "node:worker_threads";
import type { Logger } from "pino";
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from "prom-client";
import type { SandboxStatus } from "../sandbox/index.js";

/**
 * ROLE=all on a database server runs its worker on a thread of its own: the webhook path keeps an
 * event loop to itself, and a burst's trigger jobs, runs and their GitHub traffic never stand
 * between a delivery and its answer (measured in `npm run bench:intake`). The process is still
 * one: one command, one set of settings, one /healthz and one /metrics for both.
 *
 * The thread runs the same entry as the process, as a worker; this module is the line between
 * them. The worker thread says when its queue starts and stops taking jobs and what its sandbox is
 * (for /healthz), answers for its metrics (merged into the web thread's at each scrape), and shuts
 * down when told (signals reach the main thread only). If it ends any other way, the process ends
 * with it: a web server whose worker is gone would answer every webhook and run nothing.
 *
 * On the embedded database the worker stays on the main thread: PGlite is a single session that
 * serves one thread's connections, and a second thread would cost the memory the embedded default
 * is chosen to save.
 */

type Metrics = MetricObjectWithValues<MetricValue<string>>[];
type ToWorker = { type: "stop"; signal: string } | { type: "metrics"; id: number };
type FromWorker = { type: "status"; processing: boolean; sandbox: SandboxStatus } | { type: "metrics"; id: number; metrics: Metrics };

/** True in the thread a WorkerThread started. */
export const inWorkerThread = !isMainThread;

/**
 * How much lower the worker thread runs than the web thread, as a nice value (0 to 19): a
 * scheduler weight of about a tenth, so that when the cores are busy the webhook answers go first.
 * The commands it starts (git, the sandbox) inherit it.
 */
const WORKER_NICE = 10;

/**
 * Lowers the calling thread's scheduling priority to WORKER_NICE. On Linux a thread's id is a
 * process id to setpriority(2), so this touches the worker thread alone; elsewhere, or where it
 * is refused, the thread keeps the process's priority and nothing else changes.
 */
export function yieldToMainThread(): void {
  try {
    const tid = Number(path.basename(readlinkSync("/proc/thread-self")));
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, WORKER_NICE);
  } catch {
    // Not Linux, or not allowed: the thread keeps its priority.
  }
}

/** The main thread's handle on its worker thread. */
export class WorkerThread {
  private readonly worker: Worker;
  private processing = false;
  private sandboxStatus: SandboxStatus | undefined;
  private stopping = false;
  private nextId = 0;
  private readonly pending = new Map<number, (metrics: Metrics) => void>();
  private readonly exited: Promise<number>;

  /**
   * Starts `entry` (the process's own entry module) on a thread with `env`; `onLost` is told when
   * the thread ends without having been asked to.
   */
  constructor(entry: URL, env: Record<string, string | undefined>, log: Pick<Logger, "error">, onLost: (code: number) => void) {
    const worker = startWorker(entry, env);
    this.worker = worker;
    worker.on("message", (message: FromWorker) => {
      if (message.type === "status") {
        this.processing = message.processing;
        this.sandboxStatus = message.sandbox;
      } else {
        this.pending.get(message.id)?.(message.metrics);
        this.pending.delete(message.id);
      }
    });
    worker.on("error", (error) => log.error({ err: error }, "the worker thread failed"));
    this.exited = new Promise((resolve) => worker.once("exit", resolve));
    void this.exited.then((code) => {
      this.processing = false;
      for (const answer of this.pending.values()) answer([]);
      this.pending.clear();
      if (!this.stopping) onLost(code);
    });
  }

  /** Whether the worker's queue is taking jobs: false until it says it is, and once it has ended. */
  queueProcessing(): boolean {
    return this.processing;
  }

  sandbox(): SandboxStatus | undefined {
    return this.sandboxStatus;
  }

  /** The worker thread's metrics, as JSON; none when it does not answer within two seconds. */
  metrics(): Promise<Metrics> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve([]);
      }, 2_000);
      this.pending.set(id, (metrics) => {
        clearTimeout(timer);
        resolve(metrics);
      });
      this.worker.postMessage({ type: "metrics", id } satisfies ToWorker);
    });
  }

  /** Asks the worker to shut down as on a signal (drain its jobs) and waits, at most `timeoutMs` past which it is ended. */
  async stop(signal: string, timeoutMs: number): Promise<number> {
    this.stopping = true;
    this.worker.postMessage({ type: "stop", signal } satisfies ToWorker);
    const late = setTimeout(() => void this.worker.terminate(), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(late);
    }
  }
}

/**
 * A thread for `entry`. Run from the TypeScript sources (the tests, `tsx src/main.ts`), the thread
 * registers tsx's loader before it loads the entry: Node 20 gives a worker neither the loader its
 * parent registered nor one from `--import` in time for a .ts entry. Built, it loads lib/main.js.
 */
function startWorker(entry: URL, env: Record<string, string | undefined>): Worker {
  if (!entry.pathname.endsWith(".ts")) return new Worker(entry, { env });
  const loader = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(loader)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, env });
}

/** The worker thread's side: what it tells the main thread, and what it is asked. */
export function serveMainThread(handlers: { registry: Registry; shutdown: (signal: string) => Promise<void> }): {
  report(status: { processing: boolean; sandbox: SandboxStatus }): void;
} {
  const port = parentPort;
  if (!port) throw new Error("serveMainThread runs in a worker thread");
  port.on("message", (message: ToWorker) => {
    if (message.type === "stop") void handlers.shutdown(message.signal);
    else void handlers.registry.getMetricsAsJSON().then((metrics) => port.postMessage({ type: "metrics", id: message.id, metrics } satisfies FromWorker));
  });
  return { report: (status) => port.postMessage({ type: "status", ...status } satisfies FromWorker) };
}

/**
 * How the worker thread ends once it has shut down: its exit code set and nothing of its own kept
 * alive, so that it ends when its logger has written its last lines (`process.exit` in a thread
 * drops what is still on the way to standard output, "stopped" among it) — a second later at the
 * latest, whatever else may linger.
 */
export function endWorkerThread(code: number): void {
  process.exitCode = code;
  parentPort?.unref();
  setTimeout(() => process.exit(code), 1_000).unref();
}

/** A registry-shaped view of both threads' metrics: the main thread's and the worker's, summed where both count. */
export function mergedMetrics(main: Registry, worker: WorkerThread): { registry: Pick<Registry, "metrics" | "contentType"> } {
  return {
    registry: {
      contentType: main.contentType,
      metrics: async () => AggregatorRegistry.aggregate([await main.getMetricsAsJSON(), await worker.metrics()]).metrics(),
    },
  };
}
