import type { IncomingMessage, ServerResponse } from "node:http";
import type { SandboxStatus } from "../sandbox/index.js";
import type { Store } from "../store/types.js";

export interface HealthSources {
  store: Store;
  /** Whether this process is taking jobs; null for a web-only process, which has no queue to run. */
  queueProcessing: () => boolean | null;
  role: string;
  /** Webhook deliveries taken and not yet written to the database. */
  intakeBacklog?: () => number;
  /** Where this process runs the commands of runs; absent in a web-only process, undefined while a worker thread has not said yet. */
  sandbox?: () => SandboxStatus | undefined;
}

const READY_TIMEOUT_MS = 2_000;

/**
 * `GET /healthz` answers while the process is alive; `GET /readyz` answers 200 only when the
 * database is reachable and, where this process runs jobs, the queue is running — so a load
 * balancer or Kubernetes stops sending webhooks to a process that could not record them.
 */
export function createHealthHandler(sources: HealthSources) {
  return async function healthHandler(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const pathname = (req.url ?? "/").split("?")[0];
    if (pathname === "/healthz") {
      sendJson(res, 200, { status: "ok", role: sources.role, uptimeSeconds: Math.round(process.uptime()) });
      return true;
    }
    if (pathname === "/readyz") {
      const database = await checkDatabase(sources.store);
      const processing = sources.queueProcessing();
      const sandbox = sources.sandbox?.();
      const queue = processing === null ? "not run by this process" : processing ? "running" : "stopped";
      const ready = database === "reachable" && processing !== false;
      sendJson(res, ready ? 200 : 503, {
        status: ready ? "ready" : "not ready",
        role: sources.role,
        database: { kind: sources.store.kind, status: database },
        queue,
        ...(sources.intakeBacklog ? { intake: { backlog: sources.intakeBacklog() } } : {}),
        // Reported, not gating: without a sandbox, reviews, plans and answers still work.
        ...(sandbox ? { sandbox } : {}),
      });
      return true;
    }
    return false;
  };
}

async function checkDatabase(store: Store): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      store.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("timed out")), READY_TIMEOUT_MS);
      }),
    ]);
    return "reachable";
  } catch (error) {
    // The driver's message names the host, never the password; keep only its first line.
    return `unreachable: ${String((error as Error).message).split("\n")[0]}`;
  } finally {
    clearTimeout(timer);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}
