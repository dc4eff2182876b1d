import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "pino";
import type { WorkerHeartbeat } from "../store/queue-health.js";
import type { Store } from "../store/types.js";

/** How often a worker process says it is alive. */
export const HEARTBEAT_INTERVAL_MS = 10_000;
/** Silent for three beats: the process is gone (killed, or cut off from the database). */
export const GONE_AFTER_BEATS = 3;
/** A record of a worker killed without a clean shutdown is kept this long, to be seen as gone. */
const FORGET_AFTER_MS = 24 * 3_600_000;
/** Beats between sweeps of long-gone records: about hourly at the default interval. */
const SWEEP_EVERY_BEATS = 360;

type HeartbeatStore = Pick<Store, "recordWorker" | "removeWorker" | "forgetWorkers">;

export interface WorkerIdentity {
  role: WorkerHeartbeat["role"];
  version: string;
  concurrency: number;
  /** Defaults to host:pid. */
  name?: string;
}

/**
 * A worker process's heartbeat in the store, for the queue page: one upsert every interval, which
 * may fail (the database away) without touching the jobs — it is logged once per outage and tried
 * again at the next beat. A clean shutdown removes the record; a killed process's record stays, its
 * silence growing, until a sweep a day later.
 */
export class WorkerHeartbeats {
  readonly id: string;
  private readonly self: Omit<WorkerHeartbeat, "jobsRunning">;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private beats = 0;
  private failing = false;

  constructor(
    private readonly store: HeartbeatStore,
    identity: WorkerIdentity,
    private readonly jobsRunning: () => number,
    private readonly options: { intervalMs?: number; log?: Pick<Logger, "warn" | "info"> } = {},
  ) {
    const host = hostname();
    this.id = `${host}:${process.pid}:${randomBytes(4).toString("hex")}`;
    this.self = {
      id: this.id,
      name: identity.name ?? `${host}:${process.pid}`,
      role: identity.role,
      pid: process.pid,
      host,
      version: identity.version,
      concurrency: identity.concurrency,
      startedAt: new Date(),
    };
    this.intervalMs = options.intervalMs ?? HEARTBEAT_INTERVAL_MS;
  }

  /** Beats now, then every interval, until stop(). */
  start(): void {
    if (this.timer) return;
    this.beat();
    this.timer = setInterval(() => this.beat(), this.intervalMs);
    // The heartbeat never keeps a process alive that has nothing else to do.
    this.timer.unref();
  }

  /** Stops beating and removes the record; resolves (never rejects) once both are done. */
  async stop(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.beating;
    await this.store.removeWorker(this.id).catch((error: unknown) => this.options.log?.warn({ err: error }, "could not remove this worker's heartbeat; it shows as gone after three beats"));
  }

  private beat(): void {
    // One write at a time: a slow database gets no pile of upserts.
    if (this.beating) return;
    const sweep = this.beats++ % SWEEP_EVERY_BEATS === 0;
    this.beating = this.write(sweep).finally(() => (this.beating = undefined));
  }

  private async write(sweep: boolean): Promise<void> {
    try {
      await this.store.recordWorker({ ...this.self, jobsRunning: this.jobsRunning() });
      if (sweep) await this.store.forgetWorkers(new Date(Date.now() - FORGET_AFTER_MS));
      if (this.failing) this.options.log?.info("worker heartbeat written again");
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.options.log?.warn({ err: error }, "could not write this worker's heartbeat; jobs go on, and it is tried again every beat");
      this.failing = true;
    }
  }
}
