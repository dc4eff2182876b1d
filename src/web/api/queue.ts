import { type FailedJobView, type QueueOverview, failedJobView, queueOverview } from "../../runs/queue-overview.js";
import { retryFailedJob } from "../../runs/retry-job.js";
import type { FailedJobScope, QueueJob } from "../../store/queue-health.js";
import type { ApiAnswer, ApiContext } from "./context.js";
import { parseInput } from "./http.js";
import { queueJobParams, queueQuery, retryQuery } from "./schemas.js";

/**
 * The queue page's data: the overview for anyone signed in — depth, runs, pickup and workers are
 * the server's, naming no repository — with the failed jobs of the repositories they can read;
 * DASHBOARD_ADMINS see every failed job, those of no repository too. Retrying is for those admins
 * and for people GitHub says administer the job's repository (asked with their token, each time).
 */

const noQueue: ApiAnswer = { status: 404, body: { error: "this server does not serve the queue" } };
const noJob: ApiAnswer = { status: 404, body: { error: "job not found" } };

function isDashboardAdmin(ctx: ApiContext): boolean {
  return ctx.readers.admins?.has(ctx.caller.login.toLowerCase()) === true;
}

/** A job's repository may be read by the caller; a job of none, only by a dashboard admin. */
function visible(ctx: ApiContext, job: QueueJob): boolean {
  if (isDashboardAdmin(ctx)) return true;
  return job.repo !== null && ctx.caller.readable.has(job.repo.toLowerCase());
}

export async function getQueue(ctx: ApiContext): Promise<ApiAnswer> {
  if (!ctx.queueJobs) return noQueue;
  parseInput(queueQuery, ctx.query);
  const scope: FailedJobScope = isDashboardAdmin(ctx) ? { all: true } : { repos: [...ctx.caller.readable] };
  const overview = await queueOverview({ store: ctx.store, jobs: ctx.queueJobs }, scope);
  return { status: 200, body: overviewJson(overview) };
}

export async function retryJob(ctx: ApiContext): Promise<ApiAnswer> {
  const { queueJobs } = ctx;
  if (!queueJobs) return noQueue;
  const { id } = parseInput(queueJobParams, ctx.params);
  const { failCount } = parseInput(retryQuery, ctx.query);
  const job = await queueJobs.job(id);
  if (!job || !visible(ctx, job)) return noJob;
  const allowed = isDashboardAdmin(ctx) || (job.repo !== null && (await ctx.readers.people.isAdmin(ctx.caller.token, job.repo)));
  if (!allowed) {
    return { status: 403, body: { error: `retrying a job needs admin permission on ${job.repo ?? "its repository"}, or your login in DASHBOARD_ADMINS` } };
  }
  const outcome = await retryFailedJob(queueJobs, job, { by: `dashboard:${ctx.caller.login}`, failCount });
  if (outcome.result !== "retried") return { status: 409, body: { error: outcome.message } };
  return { status: 200, body: { job: jobJson(failedJobView(outcome.job)), retried: true } };
}

function jobJson(job: FailedJobView) {
  return { ...job, failedAt: job.failedAt.toISOString(), retryAt: job.retryAt?.toISOString() ?? null };
}

function overviewJson(overview: QueueOverview) {
  return {
    ...overview,
    workers: overview.workers.map((worker) => ({
      id: worker.id,
      name: worker.name,
      role: worker.role,
      pid: worker.pid,
      host: worker.host,
      version: worker.version,
      concurrency: worker.concurrency,
      jobsRunning: worker.jobsRunning,
      startedAt: worker.startedAt.toISOString(),
      lastSeenAt: worker.lastSeenAt.toISOString(),
      silentMs: worker.silentMs,
      alive: worker.alive,
    })),
    failed: overview.failed.map(jobJson),
  };
}
