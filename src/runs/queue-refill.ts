import type { FillInternals } from "./agenda-internals.js";

/**
 * Takes the next due job when one ends. Agenda locks jobs only on a poll or a wake-up (a NOTIFY on
 * PostgreSQL, a change stream on MongoDB), never when a job ends, so a worker whose `lockLimit`
 * jobs are all running sits idle after each one until the next poll: a burst drained one poll
 * interval per `concurrency` jobs. Here a job's end runs the processor's own fill for its name —
 * the fill a wake-up runs — which locks as many due jobs as the freed slots allow, under the same
 * lock limits, so the concurrency bounds hold as they do for a poll.
 *
 * Fills of one name are run one at a time: jobs ending while one is in flight ask for one more
 * after it, not one each, since a fill locks until the limit is reached. Concurrent fills would
 * each lock a job past the limit and hand it straight back.
 */
export class QueueRefill {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();

  constructor(
    private readonly processor: FillInternals,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** A job of this name ended and Agenda has freed its slot and its lock. */
  jobEnded(name: string): void {
    if (!this.processor.isRunning) return;
    if (this.inFlight.has(name)) {
      this.again.add(name);
      return;
    }
    const fill = this.fill(name)
      .catch(this.onError)
      .finally(() => this.inFlight.delete(name));
    this.inFlight.set(name, fill);
  }

  /** Resolves once no fill started here is in flight; drain() waits for it before it hands jobs back. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight.values());
  }

  private async fill(name: string): Promise<void> {
    do {
      this.again.delete(name);
      // Agenda's fill reports its own failures (a lost connection) as the queue's 'error' event.
      await this.processor.jobQueueFilling(name);
      this.processor.jobProcessing().catch(this.onError);
    } while (this.again.has(name) && this.processor.isRunning);
  }
}
