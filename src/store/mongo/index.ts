import { randomUUID } from "node:crypto";
import type { Collection, Db, MongoClient } from "mongodb";
import { isDuplicateKeyError as isDuplicateKey } from "../errors.js";
import { storable } from "../safe-json.js";
import {
  type Delivery,
  type NewRun,
  type Run,
  type RunFilter,
  type RunPatch,
  type RunStatus,
  RunConflictError,
  type Store,
  type UsageEntry,
  type UsageTotals,
  emptyTotals,
  monthRange,
  newRunSchema,
  runStepSchema,
  usageEntrySchema,
} from "../types.js";

type RunDoc = Omit<Run, "id"> & { _id: string };
type DeliveryDoc = Omit<Delivery, "id"> & { _id: string; receivedAt: Date };
type UsageDoc = Omit<UsageEntry, "at"> & { _id: string; at: Date };

const stepsSchema = runStepSchema.array();

/** The store on MongoDB: the same contract as PostgresStore, one collection per table. */
export class MongoStore implements Store {
  readonly kind = "mongodb" as const;
  private readonly runs: Collection<RunDoc>;
  private readonly deliveries: Collection<DeliveryDoc>;
  private readonly usage: Collection<UsageDoc>;
  private readonly notices: Collection<{ _id: string; createdAt: Date }>;

  constructor(
    private readonly client: MongoClient,
    db: Db,
  ) {
    this.runs = db.collection<RunDoc>("ai_runs");
    this.deliveries = db.collection<DeliveryDoc>("ai_deliveries");
    this.usage = db.collection<UsageDoc>("ai_usage");
    this.notices = db.collection<{ _id: string; createdAt: Date }>("ai_notices");
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
    await this.deliveries.createIndex({ receivedAt: 1 });
    await this.usage.createIndex({ repo: 1, at: 1 });
    await this.usage.createIndex({ runId: 1 });
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
    const docs = await this.runs
      .find(query)
      .sort({ createdAt: -1, _id: -1 })
      .limit(filter.limit ?? 100)
      .toArray();
    return docs.map(runFromDoc);
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

  async usageForMonth(repo: string, month: string): Promise<UsageTotals> {
    const { from, to } = monthRange(month);
    const [totals] = await this.usage
      .aggregate<UsageTotals>([
        { $match: { repo, at: { $gte: from, $lt: to } } },
        {
          $group: {
            _id: null,
            inputTokens: { $sum: "$inputTokens" },
            outputTokens: { $sum: "$outputTokens" },
            cacheWriteTokens: { $sum: "$cacheWriteTokens" },
            cacheReadTokens: { $sum: "$cacheReadTokens" },
            costMicros: { $sum: "$costMicros" },
            entries: { $sum: 1 },
          },
        },
        { $project: { _id: 0 } },
      ])
      .toArray();
    return totals ?? emptyTotals();
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function runFromDoc({ _id, ...doc }: RunDoc): Run {
  return { ...doc, id: _id, steps: stepsSchema.parse(doc.steps) };
}
