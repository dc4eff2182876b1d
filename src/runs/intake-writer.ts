import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { IntakeEntry } from "../triggers/webhook.js";

export type { IntakeEntry };

export interface IntakeWriterDeps {
  /** Durably queues one batch of deliveries (a single write), for a worker to record and fan out. */
  enqueue: (entries: IntakeEntry[]) => Promise<void>;
  log: Pick<Logger, "warn" | "error">;
  /** Deliveries held in memory at most; past it the webhook is refused (GitHub records a failure). */
  capacity?: number;
  /** While deliveries keep coming, how long each write waits for more to share it. */
  lingerMs?: number;
  /** First and longest wait between attempts while the database cannot be written. */
  retryMs?: { first: number; max: number };
}

/** The webhook is answered with a 5xx: the delivery shows as failed on GitHub and is recovered later. */
export class IntakeBacklogFull extends Error {
  override name = "IntakeBacklogFull";
  constructor(capacity: number) {
    super(`${capacity} webhook deliveries are waiting to be written to the database; refusing more until it catches up`);
  }
}

const BATCH = 500;

/**
 * Writes accepted deliveries behind the webhook response. GitHub waits for the response, and a
 * database round trip costs as much as everything else in it, so the handler hands the delivery
 * here and returns; the write starts as soon as the response is on its way. While deliveries keep
 * coming, each write takes all that arrived meanwhile, as one queued job (a group commit: one
 * write, one fsync, however many deliveries). A delivery acknowledged but lost before its write —
 * the process killed in that moment — is still in GitHub's delivery log, where the recovery pass
 * finds it unrecorded and has GitHub send it again.
 */
export class IntakeWriter {
  private pending: IntakeEntry[] = [];
  private writing: Promise<void> | undefined;
  private readonly capacity: number;
  private readonly lingerMs: number;
  private readonly retryMs: { first: number; max: number };

  constructor(private readonly deps: IntakeWriterDeps) {
    this.capacity = deps.capacity ?? 10_000;
    this.lingerMs = deps.lingerMs ?? 10;
    this.retryMs = deps.retryMs ?? { first: 100, max: 5_000 };
  }

  /** Takes a delivery; throws IntakeBacklogFull while the database is too far behind. */
  accept(entry: IntakeEntry): void {
    if (this.pending.length >= this.capacity) throw new IntakeBacklogFull(this.capacity);
    this.pending.push(entry);
    this.writing ??= this.writeAll();
  }

  /** Deliveries taken and not yet written. */
  get backlog(): number {
    return this.pending.length;
  }

  /** Resolves once everything taken so far is written, or at the deadline with how many are left. */
  async drain(timeoutMs: number): Promise<{ left: number }> {
    const deadline = Date.now() + timeoutMs;
    while (this.writing && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadline - Date.now())));
      await Promise.race([this.writing, timeout]);
      clearTimeout(timer);
    }
    const left = this.pending.length;
    if (left > 0) {
      this.deps.log.warn(
        { left, deliveries: this.pending.slice(0, 20).map((e) => e.delivery.id) },
        "webhook deliveries not written before shutdown; the recovery pass has GitHub send them again",
      );
    }
    return { left };
  }

  /** Writes until nothing is pending; `writing` is cleared in the same step that finds nothing left. */
  private async writeAll(): Promise<void> {
    try {
      // After the handler has returned: the response goes out first.
      await new Promise((resolve) => setImmediate(resolve));
      let wait = this.retryMs.first;
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, BATCH);
        try {
          await this.deps.enqueue(batch);
          wait = this.retryMs.first;
        } catch (error) {
          this.pending.unshift(...batch);
          this.deps.log.error({ err: error, backlog: this.pending.length, retryInMs: wait }, "cannot queue webhook deliveries yet");
          await sleep(wait);
          wait = Math.min(wait * 2, this.retryMs.max);
          continue;
        }
        // Busy: let the next batch gather for a moment, for fewer and bigger writes.
        if (this.pending.length > 0 && this.lingerMs > 0) await sleep(this.lingerMs);
      }
    } finally {
      this.writing = undefined;
    }
  }
}
