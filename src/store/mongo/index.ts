import { randomUUID } from "node:crypto";
import type { Collection, Db, MongoClient } from "mongodb";
import { isDuplicateKeyError as isDuplicateKey } from "../errors.js";
import { storable } from "../../core/safe-json.js";
import { type ApiToken, type BudgetCounter, type BudgetReservation, type BudgetReservationResult, type Delivery, type RunFilter, type RunPatch, type RateClaim, RunConflictError, type RunEventEntry, type Store, type UsageBreakdownFilter, type UsageEntry, type UsageGroup, type UsageRecord, type UsageReport, type UsageScope, type UsageTotals, type NewApiToken, emptyTotals, monthRange, usageEntrySchema } from "../types.js";
import { usageReportOf } from "../usage-report.js";
import { type RunEventDoc, appendRunEvents, lastRunEventSeq, listRunEvents } from "./run-events.js";
import * as apiTokens from "./api-tokens.js";
import { CASELESS, USAGE_SUMS, type UsageDoc, runUsage, usageBreakdown } from "./usage.js";
import { type NewRun, type Run, type RunStatus, newRunSchema, runStepSchema } from "../../core/run.js";
import type { PickupLatency, WorkerHeartbeat, WorkerRecord } from "../queue-health.js";
import { type WorkerDoc, listWorkers, pickupLatency, recordWorker } from "./workers.js";

type RunDoc = Omit<Run, "id"> & { _id: string };
type DeliveryDoc = Omit<Delivery, "id"> & { _id: string; receivedAt: Date };
type BudgetCounterDoc = BudgetCounter & { _id: string; updatedAt: Date };
type RateCounterDoc = { _id: string; count: number; expiresAt: Date };

const stepsSchema = runStepSchema.array();


/** The store on MongoDB: the same contract as PostgresStore, one collection per table. */
export class MongoStore implements Store {
  readonly kind = "mongodb" as const;
  private readonly runs: Collection<RunDoc>;
  private readonly deliveries: Collection<DeliveryDoc>;
  private readonly usage: Collection<UsageDoc>;
  private readonly notices: Collection<{ _id: string; createdAt: Date }>;
  private readonly budgets: Collection<BudgetCounterDoc>;
  private readonly rates: Collection<RateCounterDoc>;
  private readonly workers: Collection<WorkerDoc>;
  private readonly events: Collection<RunEventDoc>;
  private readonly apiTokens: Collection<apiTokens.ApiTokenDoc>;

  constructor(
    private readonly client: MongoClient,
    db: Db,
  ) {
    this.runs = db.collection<RunDoc>("ai_runs");
    this.deliveries = db.collection<DeliveryDoc>("ai_deliveries");
    this.usage = db.collection<UsageDoc>("ai_usage");
    this.notices = db.collection<{ _id: string; createdAt: Date }>("ai_notices");
    this.budgets = db.collection<BudgetCounterDoc>("ai_budget_counters");
    this.rates = db.collection<RateCounterDoc>("ai_rate_counters");
    this.workers = db.collection<WorkerDoc>("ai_workers");
    this.events = db.collection<RunEventDoc>("ai_run_events");
    this.apiTokens = db.collection<apiTokens.ApiTokenDoc>("ai_api_tokens");
  }

  async migrate(): Promise<void> {
    // createIndex is a no-op when the same index exists, so this runs on every start.
    await this.runs.createIndex({ repo: 1, number: 1, createdAt: -1 });
    await this.runs.createIndex({ status: 1, createdAt: -1 });
    // At most one queued and one running run per task on an issue or pull request.
    await this.runs.createIndex(
      { repo: 1, number: 1, task: 1 },
      { name: "one_queued", unique: true, partialFilterExpression: { status: "queued" } },
    );
    await this.runs.createIndex(
      { repo: 1, number: 1, task: 1 },
      { name: "one_running", unique: true, partialFilterExpression: { status: "running" } },
    );
    // The API lists a person's runs by the repositories they may read, newest first, a page at a time.
    await this.runs.createIndex({ repo: 1, createdAt: -1, _id: -1 }, { name: "repo_created_caseless", collation: CASELESS });
    await this.runs.createIndex({ actor: 1, createdAt: -1 }, { name: "actor_created_caseless", collation: CASELESS });
    await this.runs.createIndex({ createdAt: -1, _id: -1 });
    await this.deliveries.createIndex({ receivedAt: 1 });
    await this.usage.createIndex({ repo: 1, at: 1 });
    await this.usage.createIndex({ runId: 1 });
    await this.usage.createIndex({ repo: 1, at: 1 }, { name: "repo_at_caseless", collation: CASELESS });
    await this.usage.createIndex({ installationId: 1, at: 1 }, { partialFilterExpression: { installationId: { $exists: true } } });
    // MongoDB removes a trigger window once it has ended (PostgreSQL sweeps them in claimRate).
    await this.rates.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    await this.workers.createIndex({ lastSeenAt: 1 });
    // Pickup latency reads the runs started in the last hour or day.
    await this.runs.createIndex({ startedAt: 1 }, { partialFilterExpression: { startedAt: { $exists: true } } });
    // The writer numbers a run's events; the index makes a batch written again add nothing.
    await this.events.createIndex({ runId: 1, seq: 1 }, { unique: true });
    await apiTokens.apiTokenIndexes(this.apiTokens);
  }

  async ping(): Promise<void> {
    await this.client.db("admin").command({ ping: 1 });
  }

  async createRun(input: NewRun): Promise<Run> {
    const now = new Date();
    const doc: RunDoc = {
      ...storable(newRunSchema.parse(input)),
      _id: randomUUID(),
      status: "queued",
      steps: [],
      links: {},
      costMicros: 0,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.runs.insertOne(doc);
    } catch (error) {
      if (isDuplicateKey(error)) throw new RunConflictError(doc.repo, doc.number, doc.task, "queued");
      throw error;
    }
    return runFromDoc(doc);
  }

  async getRun(id: string): Promise<Run | null> {
    const doc = await this.runs.findOne({ _id: id });
    return doc ? runFromDoc(doc) : null;
  }

  async updateRun(id: string, unsafe: RunPatch, options: { ifStatus?: RunStatus } = {}): Promise<Run | null> {
    // Step outputs and errors hold whatever commands and models wrote; every backend keeps the same safe form.
    const patch = storable(unsafe);
    const set: Partial<RunDoc> = { updatedAt: new Date() };
    const unset: Record<string, ""> = {};
    for (const [key, value] of Object.entries(patch) as [keyof RunPatch, unknown][]) {
      if (value === undefined) continue;
      if (value === null) unset[key] = "";
      // Links merge, key by key, as on PostgreSQL.
      else if (key === "links") for (const [name, link] of Object.entries(value as Record<string, string>)) Object.assign(set, { [`links.${name}`]: link });
      else Object.assign(set, { [key]: value });
    }
    try {
      const doc = await this.runs.findOneAndUpdate(
        options.ifStatus ? { _id: id, status: options.ifStatus } : { _id: id },
        Object.keys(unset).length ? { $set: set, $unset: unset } : { $set: set },
        { returnDocument: "after" },
      );
      return doc ? runFromDoc(doc) : null;
    } catch (error) {
      if (!isDuplicateKey(error) || !patch.status) throw error;
      const run = await this.getRun(id);
      throw run ? new RunConflictError(run.repo, run.number, run.task, patch.status) : error;
    }
  }

  async listRuns(filter: RunFilter = {}): Promise<Run[]> {
    const query: Record<string, unknown> = {};
    if (filter.repo !== undefined) query.repo = filter.repo;
    if (filter.number !== undefined) query.number = filter.number;
    if (filter.statuses !== undefined) query.status = { $in: [...filter.statuses] };
    if (filter.task !== undefined) query.task = filter.task;
    // Names match without regard to case through the collation (and its index), as lower() does on PostgreSQL.
    const caseless = filter.repos !== undefined || filter.actor !== undefined;
    if (filter.repos !== undefined) query.repo = filter.repo !== undefined ? { $eq: filter.repo, $in: [...filter.repos] } : { $in: [...filter.repos] };
    if (filter.actor !== undefined) query.actor = filter.actor;
    if (filter.since !== undefined || filter.until !== undefined) {
      query.createdAt = { ...(filter.since ? { $gte: filter.since } : {}), ...(filter.until ? { $lt: filter.until } : {}) };
    }
    if (filter.after !== undefined) {
      const { createdAt, id } = filter.after;
      query.$or = [{ createdAt: { $lt: createdAt } }, { createdAt, _id: { $lt: id } }];
    }
    const docs = await this.runs
      .find(query, caseless ? { collation: CASELESS } : {})
      .sort({ createdAt: -1, _id: -1 })
      .limit(filter.limit ?? 100)
      .toArray();
    return docs.map(runFromDoc);
  }

  async countActiveRuns(): Promise<{ queued: number; running: number }> {
    const [queued, running] = await Promise.all([this.runs.countDocuments({ status: "queued" }), this.runs.countDocuments({ status: "running" })]);
    return { queued, running };
  }

  async recordDeliveries(deliveries: Delivery[]): Promise<number> {
    if (deliveries.length === 0) return 0;
    const now = new Date();
    const docs = deliveries.map(({ id, ...rest }) => ({ ...rest, _id: id, receivedAt: rest.receivedAt ?? now }));
    try {
      return (await this.deliveries.insertMany(docs, { ordered: false })).insertedCount;
    } catch (error) {
      // Unordered: every other document is written; a MongoBulkWriteError lists the ones that failed.
      const bulk = error as { writeErrors?: unknown; insertedCount?: number };
      const failures = [bulk.writeErrors ?? []].flat();
      if (failures.length > 0 && failures.every(isDuplicateKey)) return bulk.insertedCount ?? 0;
      throw error;
    }
  }

  async knownDeliveries(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const docs = await this.deliveries.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray();
    return new Set(docs.map((doc) => doc._id));
  }

  async forgetDeliveries(receivedBefore: Date): Promise<number> {
    return (await this.deliveries.deleteMany({ receivedAt: { $lt: receivedBefore } })).deletedCount;
  }
  async claimNotice(key: string): Promise<boolean> {
    try {
      await this.notices.insertOne({ _id: key, createdAt: new Date() });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async addUsage(input: UsageEntry): Promise<void> {
    const entry = usageEntrySchema.parse(input);
    await this.usage.insertOne({ ...entry, _id: randomUUID(), at: entry.at ?? new Date() });
  }

  async usageForMonth(scope: UsageScope, month: string): Promise<UsageTotals> {
    const { from, to } = monthRange(month);
    const [totals] = await this.usage
      .aggregate<UsageTotals>([
        { $match: { ...(typeof scope === "string" ? { repo: scope } : { installationId: scope.installationId }), at: { $gte: from, $lt: to } } },
        {
          $group: {
            _id: null,
            ...USAGE_SUMS,
          },
        },
        { $project: { _id: 0 } },
      ])
      .toArray();
    return totals ?? emptyTotals();
  }

  runUsage(runId: string): Promise<UsageRecord[]> {
    return runUsage(this.usage, runId);
  }

  usageBreakdown(filter: UsageBreakdownFilter): Promise<UsageGroup[]> {
    return usageBreakdown(this.usage, filter);
  }

  /** Summed from the breakdown here: MongoDB keeps no running sums beside the ledger (PostgreSQL's trigger keeps them). */
  async usageReport(filter: UsageBreakdownFilter): Promise<UsageReport> {
    return usageReportOf(await this.usageBreakdown(filter));
  }

  appendRunEvents(runId: string, events: readonly RunEventEntry[]): Promise<void> {
    return appendRunEvents(this.events, runId, events);
  }

  listRunEvents(runId: string, options: { afterSeq?: number; limit: number }): Promise<RunEventEntry[]> {
    return listRunEvents(this.events, runId, options);
  }

  lastRunEventSeq(runId: string): Promise<number> {
    return lastRunEventSeq(this.events, runId);
  }

  /**
   * As on PostgreSQL, counter by counter in key order, the limit checked in the update's filter.
   * Without a transaction (a standalone server has none), a refusal undoes the increments made
   * before it. That is safe: between increment and undo the counters only ever hold more than was
   * spent, so another reservation can be refused early but never let past a limit; a crash in
   * between leaves the excess held, which errs the same way.
   */
  async reserveBudget(reservations: readonly BudgetReservation[]): Promise<BudgetReservationResult> {
    const done: BudgetReservation[] = [];
    for (const r of [...reservations].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
      await this.budgets
        .updateOne({ _id: r.key }, { $setOnInsert: { spentMicros: r.initialMicros ?? 0, reservedMicros: 0, updatedAt: new Date() } }, { upsert: true })
        .catch((error: unknown) => {
          // Two first reservations raced to create the counter; it exists either way.
          if (!isDuplicateKey(error)) throw error;
        });
      const held = await this.budgets.findOneAndUpdate(
        { _id: r.key, $expr: { $lte: [{ $add: ["$spentMicros", "$reservedMicros", r.amountMicros] }, r.limitMicros] } },
        { $inc: { reservedMicros: r.amountMicros }, $set: { limitMicros: r.limitMicros, updatedAt: new Date() } },
      );
      if (!held) {
        for (const undo of done) await this.budgets.updateOne({ _id: undo.key }, { $inc: { reservedMicros: -undo.amountMicros } });
        const now = await this.budgets.findOne({ _id: r.key });
        return { ok: false, key: r.key, spentMicros: now?.spentMicros ?? 0, reservedMicros: now?.reservedMicros ?? 0 };
      }
      done.push(r);
    }
    return { ok: true };
  }

  async settleBudget(keys: readonly string[], reservedMicros: number, actualMicros: number): Promise<void> {
    if (keys.length === 0) return;
    await this.budgets.updateMany(
      { _id: { $in: [...keys] } },
      { $inc: { reservedMicros: -reservedMicros, spentMicros: actualMicros }, $set: { updatedAt: new Date() } },
    );
  }

  async budgetCounters(keys: readonly string[]): Promise<Map<string, BudgetCounter>> {
    const docs = await this.budgets.find({ _id: { $in: [...keys] } }).toArray();
    return new Map(
      docs.map((doc) => [doc._id, { spentMicros: doc.spentMicros, reservedMicros: doc.reservedMicros, ...(doc.limitMicros === undefined ? {} : { limitMicros: doc.limitMicros }) }]),
    );
  }

  async claimRate(key: string, limit: number, expiresAt: Date): Promise<RateClaim> {
    if (limit < 1) return { allowed: false, count: 0 };
    const claim = (upsert: boolean) =>
      this.rates.findOneAndUpdate({ _id: key, count: { $lt: limit } }, { $inc: { count: 1 }, $setOnInsert: { expiresAt } }, { upsert, returnDocument: "after" });
    let doc: RateCounterDoc | null;
    try {
      // A full window fails the filter, and the upsert's insert then fails on the existing _id.
      doc = await claim(true);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      doc = await claim(false);
    }
    return doc ? { allowed: true, count: doc.count } : { allowed: false, count: limit };
  }

  recordWorker(heartbeat: WorkerHeartbeat): Promise<void> {
    return recordWorker(this.workers, heartbeat);
  }

  async removeWorker(id: string): Promise<void> {
    await this.workers.deleteOne({ _id: id });
  }

  listWorkers(): Promise<WorkerRecord[]> {
    return listWorkers(this.workers);
  }

  async forgetWorkers(seenBefore: Date): Promise<number> {
    return (await this.workers.deleteMany({ lastSeenAt: { $lt: seenBefore } })).deletedCount;
  }

  pickupLatency(since: Date): Promise<PickupLatency> {
    return pickupLatency(this.runs, since);
  }

  createApiToken(token: NewApiToken): Promise<ApiToken> {
    return apiTokens.createApiToken(this.apiTokens, token);
  }

  findApiTokenByHash(secretHash: string): Promise<ApiToken | null> {
    return apiTokens.findApiTokenByHash(this.apiTokens, secretHash);
  }

  listApiTokens(githubUserId: number): Promise<ApiToken[]> {
    return apiTokens.listApiTokens(this.apiTokens, githubUserId);
  }

  revokeApiToken(id: string, githubUserId: number, at: Date): Promise<ApiToken | null> {
    return apiTokens.revokeApiToken(this.apiTokens, id, githubUserId, at);
  }

  touchApiToken(id: string, at: Date): Promise<void> {
    return apiTokens.touchApiToken(this.apiTokens, id, at);
  }

  updateApiTokenGrant(id: string, sealedGrant: string): Promise<void> {
    return apiTokens.updateApiTokenGrant(this.apiTokens, id, sealedGrant);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function runFromDoc({ _id, ...doc }: RunDoc): Run {
  return { ...doc, id: _id, steps: stepsSchema.parse(doc.steps) };
}
