import { z } from "zod";
import type { NewRun, Run, RunBasis, RunStatus, RunStep, RunTask } from "../core/run.js";
import type { PickupLatency, WorkerHeartbeat, WorkerRecord } from "./queue-health.js";

/**
 * What ai-agent keeps, behind one interface with a PostgreSQL (also serving embedded PGlite) and a
 * MongoDB implementation. The contract tests in test/store/ run the same cases on each.
 */

export interface RunPatch {
  status?: RunStatus;
  headSha?: string;
  /** A pending review moved to a newer head is accepted anew on it. */
  basis?: RunBasis;
  stopRequestedBy?: string;
  steps?: RunStep[];
  /** Merged into the run's links: keys not named keep their values. Keys are plain names. */
  links?: Record<string, string>;
  costMicros?: number;
  error?: string | null;
  startedAt?: Date;
  finishedAt?: Date;
}

export interface RunFilter {
  repo?: string;
  /**
   * Only runs of these repositories, `owner/name` matched without regard to case as GitHub matches
   * names: what a person may read. An empty list matches nothing.
   */
  repos?: readonly string[];
  number?: number;
  statuses?: readonly RunStatus[];
  task?: RunTask;
  actor?: string;
  /** Created at or after. */
  since?: Date;
  /** Created before. */
  until?: Date;
  /** Runs after this one in the listing's order (newest first): the next page. */
  after?: { createdAt: Date; id: string };
  limit?: number;
}

export const usageEntrySchema = z.object({
  runId: z.string().optional(),
  repo: z.string().min(1),
  /** The GitHub App installation the spend is charged to, for its monthly ceiling. */
  installationId: z.number().int().positive().optional(),
  model: z.string().min(1),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheWriteTokens: z.number().int().nonnegative().default(0),
  cacheReadTokens: z.number().int().nonnegative().default(0),
  costMicros: z.number().int().nonnegative(),
  at: z.date().optional(),
});
export type UsageEntry = z.input<typeof usageEntrySchema>;

export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  costMicros: number;
  entries: number;
}

/** One model call as the ledger keeps it: a turn of the agent (or of a review) within its run. */
export interface UsageRecord {
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  costMicros: number;
  at: Date;
}

/** The most model calls runUsage reads of one run: a run stops long before this many turns. */
export const MAX_RUN_USAGE = 2000;

export interface UsageBreakdownFilter {
  /** Repositories, `owner/name` in any case; an empty list matches nothing. */
  repos: readonly string[];
  /** Spent at or after. */
  since?: Date;
  /** Spent before. */
  until?: Date;
}

/** The spend of one repository in one month (UTC, YYYY-MM) on one task for one person. */
export interface UsageGroup extends UsageTotals {
  repo: string;
  month: string;
  /** Null for spend recorded without a run (or whose run is gone). */
  task: RunTask | null;
  actor: string | null;
}

/**
 * The usage report over the repositories named: the spend by repository and month, by task, by
 * person, and in all. Repositories and people are lower-cased, as GitHub matches names, so one
 * recorded in two cases is one; null task and person are spend without a run. Ordered by month
 * then repository, by task and by person, nulls first.
 */
export interface UsageReport {
  total: UsageTotals;
  byRepoMonth: (UsageTotals & { repo: string; month: string })[];
  byTask: (UsageTotals & { task: RunTask | null })[];
  byPerson: (UsageTotals & { actor: string | null })[];
}

/** Whose spend a usage total sums: one repository's, or one installation's across its repositories. */
export type UsageScope = string | { installationId: number };

/**
 * Worst-case cost to hold on one budget counter before a model call. A counter is keyed by scope —
 * `run:<id>`, `repo:<owner/name>:<YYYY-MM>`, `installation:<id>:<YYYY-MM>` — and holds what was
 * spent plus what calls in flight hold; it is created on first use at `initialMicros` (the
 * ledger's spend for that scope so far).
 */
export interface BudgetReservation {
  key: string;
  /** The most spent plus reserved may reach, this reservation included. */
  limitMicros: number;
  amountMicros: number;
  initialMicros?: number;
}

export type BudgetReservationResult =
  | { ok: true }
  /** The first counter, in key order, that had no room; nothing was reserved anywhere. */
  | { ok: false; key: string; spentMicros: number; reservedMicros: number };

/**
 * What the agent did in a run, beside the model turns the usage ledger keeps: each tool call and
 * each command, bounded and redacted before it is stored (src/agent/run-event-log.ts).
 */
export const runEventKinds = ["tool_call", "command", "dropped"] as const;
export type RunEventKind = (typeof runEventKinds)[number];

/** The longest summary an event keeps, in characters. */
export const MAX_RUN_EVENT_SUMMARY = 500;
/** The most output an event keeps, in bytes of UTF-8: its start and its end, with a marker between. */
export const MAX_RUN_EVENT_OUTPUT_BYTES = 8 * 1024;
/** The most events one run keeps; the recorder counts what it leaves out and says so in one last event. */
export const MAX_RUN_EVENTS = 2000;
/** The most events listRunEvents answers with at once. */
export const MAX_RUN_EVENTS_PAGE = 500;

export const runEventEntrySchema = z.object({
  /** The event's place in its run, from 1: given by the writer, so writing a batch again adds nothing. */
  seq: z.number().int().positive(),
  at: z.date(),
  /** The workflow step it happened in, when known. */
  step: z.string().min(1).max(200).nullable(),
  kind: z.enum(runEventKinds),
  /** The tool (`bash`, `str_replace_based_edit_tool`), or the command (`test`, `shell.run`). */
  name: z.string().min(1).max(100),
  summary: z.string().max(MAX_RUN_EVENT_SUMMARY),
  // Bytes are checked by the recorder; a character is at least one byte, so this bound is looser.
  output: z.string().max(MAX_RUN_EVENT_OUTPUT_BYTES).nullable(),
  exitCode: z.number().int().nullable(),
  durationMs: z.number().int().nonnegative().nullable(),
  /** Whether the output (or the summary) was cut to its bound. */
  truncated: z.boolean(),
});
export type RunEventEntry = z.infer<typeof runEventEntrySchema>;

export interface BudgetCounter {
  spentMicros: number;
  reservedMicros: number;
  /** The limit the last reservation on this counter was checked against: the budget as it stood then. */
  limitMicros?: number;
}

/** One claim on a person's trigger window: allowed while the window's count stays within its limit. */
export interface RateClaim {
  allowed: boolean;
  /** Claims in the window, this one included when allowed (the limit when not). */
  count: number;
}

export interface Delivery {
  /** The X-GitHub-Delivery header. */
  id: string;
  event: string;
  action?: string;
  repo?: string;
  receivedAt?: Date;
}

/**
 * Thrown when a run would be a second queued, or a second running, run of one task on one issue or
 * pull request. A unique index enforces it, so two processes racing cannot both win.
 */
export class RunConflictError extends Error {
  override name = "RunConflictError";
  constructor(readonly repo: string, readonly number: number, readonly task: RunTask, readonly status: RunStatus) {
    super(`${repo}#${number} already has a ${status} ${task} run`);
  }
}

/** What an API token may be granted. Managing tokens is never among them: a token cannot mint tokens. */
export const apiTokenScopes = ["runs:read", "usage:read", "runs:stop", "queue:read", "queue:retry"] as const;
export type ApiTokenScope = (typeof apiTokenScopes)[number];

/**
 * A personal API token as kept: the secret's SHA-256 only (the secret is shown once, when issued),
 * and the person's GitHub grant sealed by the web layer, so the store never holds a usable token.
 * Tokens belong to a GitHub user id, which stays when a login is renamed or freed and taken by
 * someone else; the login is kept as the name the token acts under.
 */
export interface ApiToken {
  id: string;
  login: string;
  githubUserId: number;
  /** The person's label for it. */
  name: string;
  /** Hex SHA-256 of the secret. */
  secretHash: string;
  scopes: ApiTokenScope[];
  /** Ciphertext only this app's key opens: the GitHub token (and refresh token) behind the API token. */
  sealedGrant: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export const newApiTokenSchema = z.object({
  id: z.uuid(),
  login: z.string().min(1),
  githubUserId: z.number().int().positive(),
  name: z.string().min(1),
  secretHash: z.string().regex(/^[0-9a-f]{64}$/, "expected a hex SHA-256"),
  scopes: z.array(z.enum(apiTokenScopes)),
  sealedGrant: z.string().min(1),
  createdAt: z.date(),
  expiresAt: z.date(),
});
export type NewApiToken = z.infer<typeof newApiTokenSchema>;

/** Scopes as read back: one the code no longer knows grants nothing. */
export function knownScopes(stored: readonly string[]): ApiTokenScope[] {
  return apiTokenScopes.filter((scope) => stored.includes(scope));
}

/** lastUsedAt moves at most this often per token: a token in a loop does not write on every call. */
export const API_TOKEN_TOUCH_MS = 60_000;

export type StoreKind = "postgres" | "pglite" | "mongodb";

export interface Store {
  readonly kind: StoreKind;
  /** Creates tables/collections and indexes; safe to call on every start. */
  migrate(): Promise<void>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  /** Creates a queued run; throws RunConflictError when one is already queued for that target and task. */
  createRun(input: NewRun): Promise<Run>;
  getRun(id: string): Promise<Run | null>;
  /**
   * Throws RunConflictError when the new status would make a second queued or running run. With
   * `ifStatus`, changes the run only while it has that status (one atomic step); null when there is
   * no such run, or it has another status.
   */
  updateRun(id: string, patch: RunPatch, options?: { ifStatus?: RunStatus }): Promise<Run | null>;
  /** Newest first. */
  listRuns(filter?: RunFilter): Promise<Run[]>;
  /** How many runs wait for a worker and how many are in progress, across all workers (for the metrics). */
  countActiveRuns(): Promise<{ queued: number; running: number }>;
  /** Records a notice sent once only (e.g. a refusal per user per issue); false if already claimed. */
  claimNotice(key: string): Promise<boolean>;
  /**
   * Records webhook deliveries the app has seen, ignoring ids already recorded (also twice in one
   * batch); resolves to how many were new.
   */
  recordDeliveries(deliveries: Delivery[]): Promise<number>;
  /** Which of these delivery ids are recorded. */
  knownDeliveries(ids: string[]): Promise<Set<string>>;
  /** Removes deliveries recorded before `receivedBefore`; resolves to how many. */
  forgetDeliveries(receivedBefore: Date): Promise<number>;
  addUsage(entry: UsageEntry): Promise<void>;
  /** Usage of one repository (or installation) in one calendar month (UTC), `month` as YYYY-MM. */
  usageForMonth(scope: UsageScope, month: string): Promise<UsageTotals>;
  /** A run's model calls, oldest first, at most MAX_RUN_USAGE. */
  runUsage(runId: string): Promise<UsageRecord[]>;
  /**
   * The ledger summed by repository, month, task and person (the run's actor), over the repositories
   * named; by month, then repository in any case, then task and person with null first.
   */
  usageBreakdown(filter: UsageBreakdownFilter): Promise<UsageGroup[]>;
  /**
   * The breakdown's groups summed into the report's views by the database: a few hundred rows
   * where the breakdown has tens of thousands at scale. What the dashboard and the API read.
   */
  usageReport(filter: UsageBreakdownFilter): Promise<UsageReport>;
  /**
   * Adds events to a run's log. An event whose seq the run already has is left as it is, so a
   * batch written again (a retry after a timeout) adds nothing twice.
   */
  appendRunEvents(runId: string, events: readonly RunEventEntry[]): Promise<void>;
  /** A run's events after `afterSeq` (0 when absent), oldest first, at most `limit` (≤ MAX_RUN_EVENTS_PAGE); [] for an unknown run. */
  listRunEvents(runId: string, options: { afterSeq?: number; limit: number }): Promise<RunEventEntry[]>;
  /** The highest seq of a run's events, 0 when it has none: where a resumed run's recorder goes on from. */
  lastRunEventSeq(runId: string): Promise<number>;
  /**
   * Adds each amount to its counter's reservations only if every counter stays within its limit,
   * all or nothing, atomically against any number of processes: the check and the addition are
   * one step in the database, so parallel calls cannot all pass a check made before any records.
   */
  reserveBudget(reservations: readonly BudgetReservation[]): Promise<BudgetReservationResult>;
  /** Moves a reservation on these counters to the actual cost: reserved − `reservedMicros`, spent + `actualMicros`. */
  settleBudget(keys: readonly string[], reservedMicros: number, actualMicros: number): Promise<void>;
  /** The counters that exist among `keys`. */
  budgetCounters(keys: readonly string[]): Promise<Map<string, BudgetCounter>>;
  /**
   * Counts one claim on `key` (a person's trigger window) unless `limit` claims are counted already;
   * atomic like reserveBudget. The window is forgotten after `expiresAt`.
   */
  claimRate(key: string, limit: number, expiresAt: Date): Promise<RateClaim>;
  /** Writes a worker's heartbeat (one upsert), its last-seen time the database's clock. */
  recordWorker(heartbeat: WorkerHeartbeat): Promise<void>;
  /** Forgets a worker that shut down cleanly. */
  removeWorker(id: string): Promise<void>;
  /** Every recorded worker, by name, then id. */
  listWorkers(): Promise<WorkerRecord[]>;
  /** Forgets workers last seen before `seenBefore` (killed, never shut down); resolves to how many. */
  forgetWorkers(seenBefore: Date): Promise<number>;
  /** Pickup (startedAt − createdAt) of the runs started at or after `since`, computed in the database. */
  pickupLatency(since: Date): Promise<PickupLatency>;
  /** Keeps a new API token; throws on a second token with the same id or secret hash. */
  createApiToken(token: NewApiToken): Promise<ApiToken>;
  /** The token whose secret hashes to this, revoked and expired ones too (the caller says which ended how); null when none. */
  findApiTokenByHash(secretHash: string): Promise<ApiToken | null>;
  /** One person's tokens, newest first, revoked and expired ones too. */
  listApiTokens(githubUserId: number): Promise<ApiToken[]>;
  /**
   * Revokes the token only when it is this person's: null when no token of theirs has this id. A
   * token revoked already keeps the time it was first revoked.
   */
  revokeApiToken(id: string, githubUserId: number, at: Date): Promise<ApiToken | null>;
  /** Sets lastUsedAt to `at` unless it was set less than API_TOKEN_TOUCH_MS before. */
  touchApiToken(id: string, at: Date): Promise<void>;
  /** Replaces the sealed grant (after GitHub renewed the token behind it) of a token not revoked. */
  updateApiTokenGrant(id: string, sealedGrant: string): Promise<void>;
  close(): Promise<void>;
}

export const emptyTotals = (): UsageTotals => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheWriteTokens: 0,
  cacheReadTokens: 0,
  costMicros: 0,
  entries: 0,
});

/** The UTC bounds of a YYYY-MM month. */
export function monthRange(month: string): { from: Date; to: Date } {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  if (!match) throw new Error(`expected a month as YYYY-MM, got ${month}`);
  const year = Number(match[1]);
  const index = Number(match[2]) - 1;
  if (index < 0 || index > 11) throw new Error(`expected a month as YYYY-MM, got ${month}`);
  return { from: new Date(Date.UTC(year, index, 1)), to: new Date(Date.UTC(year, index + 1, 1)) };
}

/**
 * The run's connection. Runs stored before runs named one were all GitHub's, reached through their
 * installation; they read as that installation's connection.
 */
export function runConnection(run: Pick<NewRun, "connection" | "installationId">): string | undefined {
  return run.connection ?? (run.installationId !== undefined ? `github:${run.installationId}` : undefined);
}
