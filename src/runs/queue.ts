import { Agenda, type BackoffStrategy, type Job, type JobStateNotification, type JobWithId } from "agenda";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { type DrainInternals, drainInternals, fillInternals } from "./agenda-internals.js";
import { QueueRefill } from "./queue-refill.js";
import type { MetricsRecorder } from "../core/metrics.js";
import { redact } from "../core/redactor.js";
import { isDuplicateKeyError } from "../store/errors.js";
import { DEDUPE_KEY, type Database } from "../store/open.js";

export interface QueueOptions {
  /** Poll interval in ms; defaults to what suits the backend. */
  pollMs?: number;
  /** How many jobs this process runs at once, besides quick ones (which have slots of their own). */
  concurrency: number;
  /** After this long a job whose worker died is handed to another worker. */
  lockLifetimeMs: number;
  /** Identifies this process in the queue's records. */
  name?: string;
  log?: Pick<Logger, "error" | "warn" | "info">;
  /** Counts the jobs that fail (`job_failed`). */
  metrics?: Pick<MetricsRecorder, "error">;
}

/**
 * Slots for quick jobs (intake, triggers, recovery) beside the `concurrency` slots for the rest, so
 * that a worker busy with long runs still answers new triggers — with 👀 and a reply — at once.
 */
export const QUICK_JOB_SLOTS = 8;
/** Quick jobs one worker takes (locks) at a time, to run in its quick slots as they free up. */
const QUICK_JOB_LOCKS = 32;

export type JobHandler<T> = (data: T, job: Job<T>) => Promise<void>;

export interface DrainOutcome {
  timedOut: boolean;
  /** Jobs still running when the timeout hit; their locks expire and another worker takes them. */
  stillRunning: number;
  /** Jobs this process had locked but not started, unlocked at once for another worker to take. */
  released: { id: string; name: string }[];
}

/**
 * The job queue on Agenda. Web processes only enqueue; worker processes also start() to take jobs.
 * Agenda's locking hands each job to one worker. While a job runs its lock is renewed every third of
 * the lock lifetime, so a job whose worker was killed is taken again once one lifetime has passed,
 * however long the job runs; a job locked but not started is handed back at once on drain(). When
 * a job ends, the worker takes the next due one at once (QueueRefill), not at its next poll.
 */
export class JobQueue {
  private readonly agenda: Agenda;
  private processing = false;
  private running = 0;
  private refill: QueueRefill | undefined;

  constructor(database: Database, private readonly options: QueueOptions) {
    this.agenda = new Agenda({
      backend: database.queueBackend((error) =>
        options.log?.warn({ err: error }, "the queue's wake-up connection failed; reconnecting, and polling meanwhile"),
      ),
      name: options.name ?? `ai-agent-${process.pid}`,
      // A number, never a string: Agenda reads a string such as "100" as ~5 seconds.
      processEvery: options.pollMs ?? database.defaultPollMs,
      maxConcurrency: options.concurrency + QUICK_JOB_SLOTS,
      defaultConcurrency: options.concurrency,
      defaultLockLifetime: options.lockLifetimeMs,
      lockLimit: options.concurrency + QUICK_JOB_LOCKS,
      defaultLockLimit: options.concurrency,
      removeOnComplete: false,
    });
    this.agenda.on("error", (error: Error) => options.log?.error({ err: error }, "job queue error"));
    this.agenda.on("fail", (error: Error | string, job: JobWithId | JobStateNotification, remote?: boolean) => {
      // Another worker's failure relayed to this one (over NOTIFY, by a worker that still relays
      // job states; see store/open.ts): that worker logs and counts it.
      if (remote === true || !("attrs" in job)) return;
      options.log?.warn({ err: error, job: job.attrs.name, jobId: String(job.attrs._id) }, "job failed");
      options.metrics?.error("job_failed");
    });
    this.agenda.on("complete", (job: JobWithId | JobStateNotification, remote?: boolean) => {
      // Only a job of this process frees a slot here.
      if (remote === true || !("attrs" in job)) return;
      const { name } = job.attrs;
      // Agenda emits 'complete' just before it frees the job's slot and lock (a few microtasks on,
      // no I/O between): by the next turn of the event loop both are free to fill.
      setImmediate(() => {
        if (this.processing) this.refill?.jobEnded(name);
      });
    });
  }

  /**
   * `backoff`: how a failed job is retried (the same job, rescheduled); none by default. `quick`:
   * a job of seconds, run in the quick slots rather than the `concurrency` ones.
   */
  define<T>(name: string, handler: JobHandler<T>, options: { backoff?: BackoffStrategy; quick?: boolean } = {}): void {
    const { quick, ...rest } = options;
    const slots = quick ? QUICK_JOB_SLOTS : this.options.concurrency;
    this.agenda.define<T>(
      name,
      async (job) => {
        const stopHeartbeat = this.heartbeat(job);
        this.running++;
        try {
          await handler(job.attrs.data, job);
        } catch (error) {
          throw redactedFailure(error);
        } finally {
          this.running--;
          await stopHeartbeat();
        }
      },
      {
        concurrency: slots,
        // Quick jobs are taken many at a time, so the next one starts the moment a slot frees,
        // without waiting for a lock's round trip (or, where a job's end cannot fill, for a poll).
        lockLimit: quick ? QUICK_JOB_LOCKS : slots,
        lockLifetime: this.options.lockLifetimeMs,
        ...rest,
      },
    );
  }

  /**
   * Renews the job's lock (Agenda's touch(): lockedAt = now) every third of the lock lifetime while
   * its handler runs. The returned stop waits for a renewal in flight, so none lands after Agenda
   * has saved the finished job (a lock set then would hand the job out again once it expired).
   */
  private heartbeat(job: Job<unknown>): () => Promise<void> {
    let beat: Promise<void> | undefined;
    const timer = setInterval(
      () => {
        beat ??= job
          .touch()
          .catch((error: unknown) =>
            this.options.log?.warn({ err: error, job: job.attrs.name, jobId: String(job.attrs._id) }, "could not renew a running job's lock"),
          )
          .finally(() => (beat = undefined));
      },
      Math.max(100, Math.floor(this.options.lockLifetimeMs / 3)),
    );
    return async () => {
      clearInterval(timer);
      await beat;
    };
  }

  /** Queues a job unless one of that name was already queued with this key; false if it was. */
  async enqueueOnce<T extends object>(name: string, data: T, key: string): Promise<boolean> {
    try {
      await this.agenda.now(name, { ...data, [DEDUPE_KEY]: key });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /** Queues a job to run as soon as a worker is free; resolves to the job's id. */
  async enqueue<T>(name: string, data: T): Promise<string> {
    const job = await this.agenda.now(name, data);
    return String(job.attrs._id);
  }

  /** Queues a job to run after `delayMs`. */
  async enqueueIn<T>(delayMs: number, name: string, data: T): Promise<string> {
    const job = await this.agenda.schedule(new Date(Date.now() + delayMs), name, data);
    return String(job.attrs._id);
  }

  /** Runs a job every `intervalMs`, on one worker at a time however many call this. */
  async every(intervalMs: number, name: string): Promise<void> {
    await this.agenda.every(intervalMs, name);
  }

  /** Resolves once the queue's database connection is ready. */
  async ready(): Promise<void> {
    await this.agenda.ready;
  }

  /** Starts taking jobs in this process. */
  async start(): Promise<void> {
    await this.agenda.start();
    const processor = fillInternals(this.agenda);
    if (processor) {
      this.refill = new QueueRefill(processor, (error) =>
        this.options.log?.error({ err: error }, "could not take the next job as one ended; the next poll takes it"),
      );
    } else {
      this.options.log?.warn("this Agenda version hides its queue fill; after a job ends, the next one is taken at the next poll");
    }
    this.processing = true;
  }

  get isProcessing(): boolean {
    return this.processing;
  }

  /** Jobs whose handlers are running in this process now. */
  get runningJobs(): number {
    return this.running;
  }

  /**
   * Stops taking jobs, hands back (unlocks) the jobs this process has locked but not started, so
   * another worker takes them at its next poll rather than after the lock lifetime, and waits up to
   * timeoutMs for the running ones to finish.
   */
  async drain(timeoutMs: number): Promise<DrainOutcome> {
    if (!this.processing) return { timedOut: false, stillRunning: 0, released: [] };
    this.processing = false;
    const processor = drainInternals(this.agenda);
    // Synchronously, before its first await, Agenda's drain() stops the poll and the wake-ups.
    const draining = this.agenda.drain({ timeout: timeoutMs, closeConnection: false });
    let released: DrainOutcome["released"] = [];
    try {
      released = await this.releaseWaiting(processor);
    } catch (error) {
      this.options.log?.warn({ err: error }, "could not release the jobs locked but not started; they are taken when their locks expire");
    }
    const result = await draining;
    return { timedOut: result.timedOut, stillRunning: result.running, released };
  }

  private async releaseWaiting(processor: DrainInternals | undefined): Promise<DrainOutcome["released"]> {
    if (!processor) {
      this.options.log?.warn("this Agenda version hides its locked jobs; jobs locked but not started are taken when their locks expire");
      return [];
    }
    // From here no locked job starts in this process (runOrRetry returns); running ones go on.
    processor.isRunning = false;
    // A queue fill in flight (a poll's, a wake-up's, a job end's) may still lock jobs: let it
    // finish, then release those too. Agenda's flag is one per name, cleared by whichever of two
    // overlapping fills of a name ends first, so the job ends' fills are also waited for by name.
    const deadline = Date.now() + 10_000;
    if (this.refill) await Promise.race([this.refill.settled(), sleep(10_000, undefined, { ref: false })]);
    while (processor.isJobQueueFilling.size > 0 && Date.now() < deadline) await sleep(10);
    const running = new Set(processor.runningJobs.map((job) => String(job.attrs._id)));
    const waiting = processor.lockedJobs.filter((job) => !running.has(String(job.attrs._id)));
    if (waiting.length === 0) return [];
    const released = waiting.map((job) => ({ id: String(job.attrs._id), name: job.attrs.name }));
    await this.agenda.db.unlockJobs(released.map((job) => job.id));
    this.options.log?.info(
      { released },
      `released at shutdown: ${released.length} job(s) locked but not started, for another worker to take now`,
    );
    return released;
  }
}

/**
 * Agenda stores a failed job's message as its fail reason, which the queue page shows to people.
 * Redacted here, in the process that threw it: only this process knows the installation tokens it
 * was handed, which may sit in a message (a URL, a command line). The same error object goes on,
 * for the log and the `fail` event.
 */
function redactedFailure(error: unknown): unknown {
  if (error instanceof Error) {
    const message = redact(error.message);
    if (message !== error.message) {
      try {
        error.message = message;
      } catch {
        // A frozen error or a read-only message: stored as another error, with this one as its cause.
        return new Error(message, { cause: error });
      }
    }
    return error;
  }
  return new Error(redact(String(error)));
}
