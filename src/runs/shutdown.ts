import type { Logger } from "pino";
import type { JobQueue } from "./queue.js";

export interface ShutdownPlan {
  /** Stops taking new webhooks (closes the HTTP server); absent for a worker. */
  stopIntake?: (signal: string) => Promise<void>;
  queue: JobQueue;
  /** Ends the worker's heartbeat once its jobs are drained (it shows as alive while they finish). */
  stopHeartbeat?: () => Promise<void>;
  /** Closes the database once the queue is drained. */
  close: () => Promise<void>;
  timeoutMs: number;
  log: Pick<Logger, "info" | "warn" | "error">;
  exit?: (code: number) => void;
}

/**
 * On SIGTERM or SIGINT: stop taking work, hand back the jobs locked but not started (the queue
 * logs them as "released at shutdown"), let running jobs finish for up to timeoutMs, exit 0. A job
 * still running at the deadline keeps its lock; once the lock lifetime passes another worker takes
 * it, as it would after a hard kill.
 */
export function installGracefulShutdown(plan: ShutdownPlan): (signal: string) => Promise<void> {
  const exit = plan.exit ?? ((code: number) => process.exit(code));
  let stopping: Promise<void> | undefined;
  const shutdown = (signal: string): Promise<void> => {
    stopping ??= (async () => {
      plan.log.info({ signal, timeoutMs: plan.timeoutMs }, "shutting down: no new work, draining running jobs");
      try {
        await plan.stopIntake?.(signal);
        const outcome = await plan.queue.drain(plan.timeoutMs);
        if (outcome.timedOut) {
          plan.log.warn(
            { stillRunning: outcome.stillRunning },
            "drain timed out; those jobs stay locked and another worker takes them when the lock expires",
          );
        }
        await plan.stopHeartbeat?.();
        await plan.close();
        plan.log.info("stopped");
        exit(0);
      } catch (error) {
        plan.log.error({ err: error }, "error while shutting down");
        exit(1);
      }
    })();
    return stopping;
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  return shutdown;
}
