import { type Collection, type Db, type Document, type Filter, ObjectId } from "mongodb";
import type { RunStatus } from "../../core/run.js";
import type { FailedJobScope, JobDepth, QueueJob, QueueJobs } from "../queue-health.js";

/**
 * Agenda's `agenda_jobs` collection (@agendajs/mongo-backend's documents), read for the queue page
 * and changed for a retry, as src/store/postgres/queue-jobs.ts does it on PostgreSQL: the same
 * states, the same repository rule, counted and filtered in the database.
 */

type JobDoc = {
  _id: ObjectId;
  name: string;
  data?: unknown;
  nextRunAt?: Date | null;
  lockedAt?: Date | null;
  lastFinishedAt?: Date | null;
  failedAt?: Date | null;
  failCount?: number | null;
  failReason?: string | null;
  disabled?: boolean;
  lastModifiedBy?: string;
};

type Joined = Omit<JobDoc, "data"> & { runId: string | null; runStatus: RunStatus | null; repo: string | null; number: number | null };

/** Agenda's "failed" (computeJobState): not locked, and failed at least as recently as it last finished. */
const FAILED: Filter<JobDoc> = {
  failedAt: { $type: "date" },
  lockedAt: null,
  $expr: { $or: [{ $eq: [{ $ifNull: ["$lastFinishedAt", null] }, null] }, { $gte: ["$failedAt", "$lastFinishedAt"] }] },
};

const isString = (path: string) => ({ $eq: [{ $type: path }, "string"] });

/** Its run's repository and number when its data names a run, else its own data's; see the PostgreSQL module. */
const WITH_REPOSITORY: Document[] = [
  { $lookup: { from: "ai_runs", localField: "data.runId", foreignField: "_id", as: "run" } },
  {
    $set: {
      run: { $arrayElemAt: ["$run", 0] },
    },
  },
  {
    $set: {
      runId: { $ifNull: ["$run._id", null] },
      runStatus: { $ifNull: ["$run.status", null] },
      repo: {
        $ifNull: [
          "$run.repo",
          { $cond: [{ $and: [isString("$data.owner"), isString("$data.repo")] }, { $concat: ["$data.owner", "/", "$data.repo"] }, null] },
        ],
      },
      number: { $ifNull: ["$run.number", { $cond: [{ $in: [{ $type: "$data.number" }, ["int", "long", "double"]] }, "$data.number", null] }] },
    },
  },
  { $project: { data: 0, run: 0 } },
];

function jobFromDoc(doc: Joined): QueueJob {
  return {
    id: doc._id.toHexString(),
    name: doc.name,
    failReason: doc.failReason ?? null,
    failedAt: doc.failedAt ?? null,
    failCount: doc.failCount ?? 0,
    nextRunAt: doc.nextRunAt ?? null,
    lockedAt: doc.lockedAt ?? null,
    lastFinishedAt: doc.lastFinishedAt ?? null,
    runId: doc.runId,
    runStatus: doc.runStatus,
    repo: doc.repo,
    number: doc.number,
  };
}

const objectId = (id: string) => (/^[0-9a-f]{24}$/i.test(id) ? new ObjectId(id) : null);

/** Indexes for these reads, beside the backend's own; created at start-up. */
export async function createQueueJobIndexes(db: Db): Promise<void> {
  await db.collection("agenda_jobs").createIndex({ failedAt: -1 }, { name: "failed", partialFilterExpression: { failedAt: { $type: "date" } } });
}

export function mongoQueueJobs(db: Db): QueueJobs {
  const jobs: Collection<JobDoc> = db.collection<JobDoc>("agenda_jobs");
  return {
    async depth(): Promise<JobDepth[]> {
      const unlocked = { $eq: [{ $ifNull: ["$lockedAt", null] }, null] };
      const due = { $and: [unlocked, { $lte: ["$nextRunAt", "$$NOW"] }, { $ne: [{ $ifNull: ["$nextRunAt", null] }, null] }] };
      const docs = await jobs
        .aggregate<{ _id: string; due: number; scheduled: number; locked: number; oldestDue: Date | null; now: Date }>([
          { $match: { $or: [{ nextRunAt: { $type: "date" } }, { lockedAt: { $type: "date" } }], disabled: { $ne: true } } },
          {
            $group: {
              _id: "$name",
              due: { $sum: { $cond: [due, 1, 0] } },
              scheduled: { $sum: { $cond: [{ $and: [unlocked, { $gt: ["$nextRunAt", "$$NOW"] }] }, 1, 0] } },
              locked: { $sum: { $cond: [unlocked, 0, 1] } },
              // $min ignores nulls: the earliest due time among the due jobs.
              oldestDue: { $min: { $cond: [due, "$nextRunAt", null] } },
              now: { $first: "$$NOW" },
            },
          },
          { $sort: { _id: 1 } },
        ])
        .toArray();
      return docs.map((doc) => ({
        name: doc._id,
        due: doc.due,
        scheduled: doc.scheduled,
        locked: doc.locked,
        oldestDueMs: doc.oldestDue ? Math.max(0, doc.now.getTime() - doc.oldestDue.getTime()) : null,
      }));
    },

    async failed(scope: FailedJobScope, limit: number): Promise<QueueJob[]> {
      const byRepo: Document[] = "all" in scope ? [] : [{ $match: { $expr: { $in: [{ $toLower: { $ifNull: ["$repo", ""] } }, scope.repos.map((repo) => repo.toLowerCase())] } } }];
      const docs = await jobs
        .aggregate<Joined>([{ $match: FAILED }, { $sort: { failedAt: -1, _id: 1 } }, ...WITH_REPOSITORY, ...byRepo, { $limit: limit }])
        .toArray();
      return docs.map(jobFromDoc);
    },

    async job(id: string): Promise<QueueJob | null> {
      const _id = objectId(id);
      if (!_id) return null;
      const [doc] = await jobs.aggregate<Joined>([{ $match: { _id } }, ...WITH_REPOSITORY]).toArray();
      return doc ? jobFromDoc(doc) : null;
    },

    async requeueFailed(id: string, options: { failCount?: number; by: string }): Promise<boolean> {
      const _id = objectId(id);
      if (!_id) return false;
      const result = await jobs.updateOne(
        { _id, nextRunAt: null, ...FAILED, ...(options.failCount === undefined ? {} : { failCount: options.failCount }) },
        { $currentDate: { nextRunAt: true }, $set: { lastModifiedBy: options.by.slice(0, 255) } },
      );
      return result.modifiedCount === 1;
    },
  };
}
