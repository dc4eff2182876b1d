import { Agenda, type BackoffStrategy, type Job } from "agenda";
import type { Logger } from "pino";
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
  log?: Pick<Logger, "error" | "warn">;
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
}

/**
 * The job queue on Agenda. Web processes only enqueue; worker processes also start() to take jobs.
 * Agenda's locking hands each job to one worker, and a job whose worker was killed is taken again
 * once its lock lifetime has passed.
 */
export class JobQueue {
  private readonly agenda: Agenda;
  private processing = false;

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
    this.agenda.on("fail", (error: Error, job: Job) => {
      options.log?.warn({ err: error, job: job.attrs.name, jobId: String(job.attrs._id) }, "job failed");
    });
  }

  /**
   * `backoff`: how a failed job is retried (the same job, rescheduled); none by default. `quick`:
   * a job of seconds, run in the quick slots rather than the `concurrency` ones.
   */
  define<T>(name: string, handler: JobHandler<T>, options: { backoff?: BackoffStrategy; quick?: boolean } = {}): void {
    const { quick, ...rest } = options;
    const slots = quick ? QUICK_JOB_SLOTS : this.options.concurrency;
    this.agenda.define<T>(name, async (job) => handler(job.attrs.data, job), {
      concurrency: slots,
      // Agenda fills its local queue only on a wake-up or a poll, never when a job ends: quick jobs
      // are taken many at a time and run back to back, so a burst does not wait a poll per slot.
      lockLimit: quick ? QUICK_JOB_LOCKS : slots,
      lockLifetime: this.options.lockLifetimeMs,
      ...rest,
    });
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
    this.processing = true;
  }

  get isProcessing(): boolean {
    return this.processing;
  }

  /** Stops taking jobs and waits up to timeoutMs for the running ones to finish. */
  async drain(timeoutMs: number): Promise<DrainOutcome> {
    if (!this.processing) return { timedOut: false, stillRunning: 0 };
    this.processing = false;
    const result = await this.agenda.drain({ timeout: timeoutMs, closeConnection: false });
    return { timedOut: result.timedOut, stillRunning: result.running };
  }
}
