import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { DatabaseTarget } from "../../src/store/open.js";

const fixture = fileURLToPath(new URL("../fixtures/queue-worker.ts", import.meta.url));

export interface WorkerEvent {
  event: "ready" | "start" | "done" | "info" | "warn" | "error";
  worker: string;
  key?: string;
  message?: string;
  detail?: unknown;
}

export interface WorkerProcess {
  name: string;
  child: ChildProcess;
  events: WorkerEvent[];
  exited: Promise<number | null>;
  waitFor(predicate: (event: WorkerEvent) => boolean, timeoutMs?: number): Promise<WorkerEvent>;
}

/** Starts a queue worker process (test/fixtures/queue-worker.ts) against the given database. */
export function startWorker(name: string, target: DatabaseTarget, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", fixture], {
    env: { ...process.env, WORKER_NAME: name, WORKER_TARGET: JSON.stringify(target), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events: WorkerEvent[] = [];
  const waiters = new Set<() => void>();
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on("line", (line) => {
    try {
      events.push(JSON.parse(line) as WorkerEvent);
    } catch {
      return;
    }
    for (const wake of waiters) wake();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const waitFor = (predicate: (event: WorkerEvent) => boolean, timeoutMs = 30_000) =>
    new Promise<WorkerEvent>((resolve, reject) => {
      const check = () => {
        const found = events.find(predicate);
        if (found) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`worker ${name} did not report in ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`));
      }, timeoutMs);
      waiters.add(check);
      void exited.then(() => setTimeout(check, 0));
      check();
    });
  return { name, child, events, exited, waitFor };
}
