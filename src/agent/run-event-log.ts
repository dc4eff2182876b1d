import { MAX_RUN_EVENTS, type RunEventEntry, type Store } from "../store/types.js";
import { type RunEventInput, boundedEvent } from "./run-event-bounds.js";

/**
 * A run's event log as the run writes it: the tools and commands report each call (`record`, which
 * never waits), the log numbers, redacts and bounds it at once, and writes what it holds in
 * batches — about every half second, at the end of each step and at the end of the run. The
 * database is never waited on per call, and a failed write is logged and tried again with the
 * next batch, never failing the run. Past MAX_RUN_EVENTS a run's further events are counted, and
 * one last event says how many were left out.
 */

export type RunEventStore = Pick<Store, "appendRunEvents" | "lastRunEventSeq">;

/** Where a tool or an action reports what it ran. */
export interface RunEventSink {
  record(event: RunEventInput): void;
}

/** Where a failed write is told: the app's logger. */
export interface RunEventLogger {
  warn(fields: object, message: string): void;
}

export interface RunEventLogOptions {
  store: RunEventStore;
  runId: string;
  log?: RunEventLogger;
  /** The longest an event waits in memory before it is written. */
  flushEveryMs?: number;
  maxEvents?: number;
  /** The longest the end of the run waits for the last write. */
  closeTimeoutMs?: number;
  now?: () => Date;
}

/** Attempts at writing one batch before it is given up (and logged). */
const WRITE_ATTEMPTS = 3;

interface Pending {
  /** The event's place among this log's events, from 1: its seq is this after the run's earlier events. */
  ordinal: number;
  entry: RunEventEntry;
  attempts: number;
}

export class RunEventLog {
  private ordinal = 0;
  private dropped = 0;
  private closed = false;
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** The run's highest seq before this log (a resumed run's earlier attempts); read once, on the first write. */
  private base: Promise<number> | undefined;
  private readonly flushEveryMs: number;
  private readonly maxEvents: number;

  constructor(private readonly options: RunEventLogOptions) {
    this.flushEveryMs = options.flushEveryMs ?? 500;
    this.maxEvents = options.maxEvents ?? MAX_RUN_EVENTS;
  }

  /** Records one event filed under `step`; returns at once. */
  record(event: RunEventInput, step?: string): void {
    if (this.closed) return;
    if (this.ordinal >= this.maxEvents) {
      this.dropped++;
      return;
    }
    const ordinal = ++this.ordinal;
    this.pending.push({ ordinal, entry: boundedEvent(event, ordinal, step ?? null, this.now()), attempts: 0 });
    this.timer ??= setTimeout(() => void this.flush(), this.flushEveryMs).unref();
  }

  /** A sink that files what it is told under `step`, for the tools of one step. */
  forStep(step: string | undefined): RunEventSink {
    return { record: (event) => this.record(event, step) };
  }

  /** Writes what is held; resolves once it is written or its failure logged. Never rejects. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    // One write at a time, in order: a batch that failed goes again before the newer events.
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  /** The end of the run: the last writes, then the count of events left out if any; waited for at most closeTimeoutMs. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.closeTimeoutMs ?? 5000).unref()));
    await Promise.race([this.flush().then(() => this.writeDropped()), timeout]);
    clearTimeout(timer);
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** One event saying how many were left out, numbered after the last a run may keep: a second attempt's count never takes another event's place. */
  private writeDropped(): Promise<void> {
    if (this.dropped === 0) return Promise.resolve();
    const summary = `${this.dropped} more ${this.dropped === 1 ? "event was" : "events were"} not recorded: a run keeps at most ${this.maxEvents}.`;
    this.pending.push({ ordinal: 0, entry: boundedEvent({ kind: "dropped", name: "events", summary }, this.maxEvents + 1, null, this.now()), attempts: 0 });
    return this.flush();
  }

  private async write(): Promise<void> {
    if (this.pending.length === 0) return;
    let batch = this.pending;
    this.pending = [];
    const { store, runId, log } = this.options;
    try {
      const base = await (this.base ??= store.lastRunEventSeq(runId).catch((error: unknown) => {
        log?.warn({ run: runId, err: error }, "could not read where the run's event log ends; numbering its events from 1");
        return 0;
      }));
      // A resumed run's earlier attempts count towards the run's bound too.
      const within = batch.filter((item) => item.entry.kind === "dropped" || base + item.ordinal <= this.maxEvents);
      this.dropped += batch.length - within.length;
      batch = within.map((item) => (item.entry.kind === "dropped" ? item : { ...item, entry: { ...item.entry, seq: base + item.ordinal } }));
      const events = batch.map((item) => item.entry);
      await store.appendRunEvents(runId, events);
    } catch (error) {
      const again = batch.filter((item) => ++item.attempts < WRITE_ATTEMPTS);
      log?.warn(
        { run: runId, err: error, events: batch.length, givenUp: batch.length - again.length },
        again.length > 0 ? "could not write the run's event log; trying again with the next batch" : "could not write the run's event log; these events are lost",
      );
      this.pending = [...again, ...this.pending];
      if (again.length > 0 && !this.closed) this.timer ??= setTimeout(() => void this.flush(), this.flushEveryMs).unref();
    }
  }
}
