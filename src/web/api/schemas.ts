import { z } from "zod";
import { runStatuses, runTasks, runTriggers } from "../../core/run.js";
import { MAX_RUN_EVENT_OUTPUT_BYTES, MAX_RUN_EVENT_SUMMARY, runEventKinds } from "../../store/types.js";

/**
 * What /api/v1 takes and gives, as zod schemas: the routes validate requests with them and
 * ./openapi.ts describes the API from these very schemas, so the document cannot drift from what is
 * enforced. Query values arrive as text; numbers are coerced, dates stay ISO strings.
 */

const isoDate = z.union([z.iso.date(), z.iso.datetime({ offset: true })], { error: "expected a date such as 2026-11-01, or a date-time such as 2026-11-01T12:00:00Z" }).describe("an ISO 8601 date (2026-11-01) or date-time (2026-11-01T12:00:00Z)");
const repoName = z.string().regex(/^[\w.-]+\/[\w.-]+$/, "expected owner/name").describe("a repository, owner/name (any case)");

export const runIdParams = z.strictObject({ id: z.uuid().describe("the run's id") });

export const listRunsQuery = z.strictObject({
  repo: repoName.optional(),
  task: z.enum(runTasks).optional(),
  status: z.enum(runStatuses).optional(),
  actor: z.string().min(1).max(100).describe("who caused the run, a GitHub login (any case)").optional(),
  since: isoDate.describe("runs created at or after this").optional(),
  until: isoDate.describe("runs created before this").optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25).describe("runs per page"),
  cursor: z.string().min(1).max(200).describe("the nextCursor of the page before, to read the next one").optional(),
});

export const usageQuery = z.strictObject({
  repo: repoName.optional(),
  since: isoDate.describe("spend at or after this").optional(),
  until: isoDate.describe("spend before this").optional(),
});

export const errorBody = z.object({
  error: z.string().describe("what was wrong, in plain words"),
  sign_in: z.string().optional().describe("where to sign in with GitHub, when credentials were missing"),
});

const stepView = z.object({
  id: z.string(),
  name: z.string().optional(),
  status: z.enum(["pending", "running", "succeeded", "failed", "skipped", "rolled_back"]),
  attempts: z.number().int(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
  error: z.string().optional(),
  note: z.string().optional(),
});

export const runView = z.object({
  id: z.string(),
  repo: z.string(),
  number: z.number().int(),
  kind: z.enum(["issue", "pull_request"]),
  task: z.enum(runTasks),
  trigger: z.enum(runTriggers),
  actor: z.string(),
  workflow: z.string().optional(),
  input: z.string().optional(),
  headSha: z.string().optional(),
  status: z.enum(runStatuses),
  steps: z.array(stepView),
  links: z.record(z.string(), z.string()).describe("addresses the run produced: tracking comment, pull request…"),
  branch: z.string().optional().describe("the branch the run pushed its work to"),
  costMicros: z.number().int().describe("spend in millionths of a US dollar"),
  costUsd: z.number(),
  error: z.string().optional(),
  stopRequestedBy: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
});

export const runList = z.object({
  runs: z.array(runView),
  nextCursor: z.string().nullable().describe("pass as `cursor` for the next page; null on the last"),
});

const tokens = {
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cacheWriteTokens: z.number().int(),
  cacheReadTokens: z.number().int(),
  costMicros: z.number().int(),
  costUsd: z.number(),
};

export const runSteps = z.object({
  runId: z.string(),
  steps: z.array(stepView.extend({ durationMs: z.number().int().nullable().describe("null while the step has not both started and finished") })),
  turns: z
    .array(z.object({ model: z.string(), ...tokens, at: z.string(), step: z.string().nullable().describe("the step running when the call was recorded") }))
    .describe("the run's model calls, oldest first: each is one turn of the agent or of a review"),
});

export const runEventsQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0).describe("the seq of the last event already read; the events after it are answered"),
  limit: z.coerce.number().int().min(1).max(200).default(100).describe("events per page"),
});

export const runEvents = z.object({
  runId: z.string(),
  events: z
    .array(
      z.object({
        seq: z.number().int().describe("the event's place in the run, from 1"),
        at: z.string(),
        step: z.string().nullable().describe("the workflow step it happened in; null when not known"),
        kind: z.enum(runEventKinds).describe("tool_call: a tool the agent called; command: a command run (the run tool, shell.run); dropped: how many events past the bound were not kept"),
        name: z.string().describe("the tool, or the command's name"),
        summary: z.string().describe(`what was asked, made short (at most ${MAX_RUN_EVENT_SUMMARY} characters): the bash command, the editor's command and path, the command line`),
        output: z.string().nullable().describe(`what it gave, redacted; a longer output keeps its start and end (at most ${MAX_RUN_EVENT_OUTPUT_BYTES} bytes) around a note of what was left out`),
        exitCode: z.number().int().nullable(),
        durationMs: z.number().int().nullable(),
        truncated: z.boolean().describe("whether the summary or the output was cut"),
      }),
    )
    .describe("the run's tool calls and commands, oldest first, redacted"),
  nextAfter: z.number().int().nullable().describe("pass as `after` for the next page; null when no more events are stored yet (a running run adds more: ask again after the last seq)"),
});

const totals = z.object({ ...tokens, calls: z.number().int().describe("model calls summed") });

export const usageReport = z.object({
  since: z.string().nullable(),
  until: z.string().nullable(),
  total: totals,
  byRepoMonth: z.array(totals.extend({ repo: z.string(), month: z.string().describe("YYYY-MM, UTC") })),
  byTask: z.array(totals.extend({ task: z.enum(runTasks).nullable().describe("null for spend recorded outside a run") })),
  byPerson: z.array(totals.extend({ actor: z.string().nullable() })),
});

export const stopAnswer = z.object({
  run: runView,
  stopped: z.boolean().describe("true when the run had not started and is stopped; false when it stops at its next step"),
});

/** The overview takes no parameters; one sent is named as unknown rather than ignored. */
export const queueQuery = z.strictObject({});

/** A job's id as the backend made it: a uuid on PostgreSQL, an ObjectId's 24 hex digits on MongoDB. */
export const queueJobParams = z.strictObject({
  id: z.string().regex(/^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{24})$/i, "expected a job id").describe("the job's id"),
});

export const retryQuery = z.strictObject({
  failCount: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .describe("the failCount the queue showed you: the retry happens only if the job has failed exactly that often, so a second click retries nothing")
    .optional(),
});

const pickup = z.object({
  runs: z.number().int().describe("runs a worker took in the window"),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  maxMs: z.number().nullable(),
});

const failedJob = z.object({
  id: z.string(),
  name: z.string().describe("the job's kind: run, trigger, intake, recover-deliveries…"),
  runId: z.string().nullable(),
  runStatus: z.enum(runStatuses).nullable(),
  repo: z.string().nullable().describe("null for a job of no repository (shown to DASHBOARD_ADMINS only)"),
  number: z.number().int().nullable(),
  failReason: z.string().describe("the error, with secrets redacted, at most 500 characters"),
  failedAt: z.string(),
  failCount: z.number().int(),
  retryAt: z.string().nullable().describe("when its backoff runs it again by itself; null when nothing will"),
  retryable: z.boolean().describe("whether POST …/retry may requeue it now"),
});

export const queueOverviewView = z.object({
  depth: z.object({
    due: z.number().int().describe("jobs due and waiting for a worker"),
    scheduled: z.number().int().describe("jobs to run later (delays, backoff retries, recurring jobs)"),
    locked: z.number().int().describe("jobs a worker holds: running, or about to"),
    oldestDueMs: z.number().nullable().describe("how long the longest-waiting due job has waited"),
    byName: z.array(z.object({ name: z.string(), due: z.number().int(), scheduled: z.number().int(), locked: z.number().int(), oldestDueMs: z.number().nullable() })),
  }),
  runs: z.object({ queued: z.number().int(), running: z.number().int() }).describe("runs waiting for a worker and in progress, across all workers"),
  pickup: z.object({ lastHour: pickup, lastDay: pickup }).describe("how long runs started in the window waited for a worker (startedAt − createdAt), nearest-rank percentiles"),
  workers: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      role: z.enum(["worker", "all"]),
      pid: z.number().int(),
      host: z.string(),
      version: z.string(),
      concurrency: z.number().int(),
      jobsRunning: z.number().int(),
      startedAt: z.string(),
      lastSeenAt: z.string(),
      silentMs: z.number(),
      alive: z.boolean().describe("false once silent for three heartbeats (30 s): killed, or cut off from the database"),
    }),
  ),
  failed: z.array(failedJob).describe("the 50 most recent failed jobs you may see: of repositories you can read, and all of them for DASHBOARD_ADMINS"),
});

export const retryAnswer = z.object({ job: failedJob, retried: z.literal(true) });
