import type { AgendaBackend } from "agenda";
import type { QueueJobs } from "./queue-health.js";
import type { Store, StoreKind } from "./types.js";

/**
 * A job whose data carries this key is unique per job name and key: a unique index on the queue's
 * own table makes the insert itself the duplicate check, so queueing stays one durable write.
 */
export const DEDUPE_KEY = "dedupeKey";

/** Where the data lives, as chosen at boot. */
export type DatabaseTarget =
  | { kind: "mongodb"; url: string }
  /** poolSize must be at least 2: start-up holds one client for a lock while another migrates. */
  | { kind: "postgres"; url: string; notifications?: boolean; poolSize?: number }
  | { kind: "pglite"; dataDir: string };

export interface Database {
  kind: StoreKind;
  store: Store;
  /**
   * A fresh Agenda backend over the same connection (Agenda disconnects what it is given).
   * `onWakeUpError` hears when the wake-up channel (LISTEN on PostgreSQL) loses its connection; it
   * reconnects by itself, and polling carries on meanwhile.
   */
  queueBackend(onWakeUpError?: (error: Error) => void): AgendaBackend;
  /** The queue's job records as the queue page reads them, and a failed job's retry. */
  queueJobs: QueueJobs;
  /** Poll interval that suits this backend; LISTEN/NOTIFY makes polling a fallback on PostgreSQL. */
  defaultPollMs: number;
  /** Connection string other processes can use (the embedded database's socket), for tests and benches. */
  postgresUrl?: string;
  close(): Promise<void>;
}
