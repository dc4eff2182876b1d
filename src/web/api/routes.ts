import type { z } from "zod";
import type { ApiAnswer, ApiContext } from "./context.js";
import { getRun, getRunSteps, listRuns } from "./runs.js";
import { getRunEvents } from "./run-events.js";
import { errorBody, listRunsQuery, queueJobParams, queueOverviewView, queueQuery, retryAnswer, retryQuery, runEvents, runEventsQuery, runIdParams, runList, runSteps, runView, stopAnswer, usageQuery, usageReport } from "./schemas.js";
import { getQueue, retryJob } from "./queue.js";
import type { RouteScope } from "./scopes.js";
import { stop } from "./stop.js";
import { issueTokenBody, issuedToken, revokedToken, tokenIdParams, tokenList } from "./token-schemas.js";
import { issueTokenRoute, listTokensRoute, revokeTokenRoute } from "./tokens.js";
import { usage } from "./usage.js";

/**
 * Every route of /api/v1 once: its method and path, the schemas it validates with and answers in,
 * and its handler. The dispatcher (./handler.ts) and the OpenAPI document (./openapi.ts) both read
 * this table, so a route cannot be served undocumented.
 */

export interface ApiRoute {
  method: "GET" | "POST";
  /** OpenAPI's form: `{name}` for a path parameter. */
  path: string;
  operationId: string;
  summary: string;
  /** What an API token needs to call it; a session or a GitHub token has every scope. */
  scope: RouteScope;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** The JSON body it takes, when it takes one: read bounded, then parsed by the handler through this. */
  body?: z.ZodObject;
  /** The success answer's status and schema; the name it has among the document's schemas. */
  ok: { status: number; name: string; schema: z.ZodType; description: string };
  /** Error statuses the route answers with besides 401, 403 (a scope lacking) and 502, which every route may. */
  errors: Partial<Record<400 | 403 | 404 | 409 | 413 | 415, string>>;
  handle: (ctx: ApiContext) => Promise<ApiAnswer>;
}

export const API_PREFIX = "/api/v1";

export const apiRoutes: readonly ApiRoute[] = [
  {
    method: "GET",
    path: "/runs",
    operationId: "listRuns",
    scope: "runs:read",
    summary: "Runs of the repositories you may read, newest first, a page at a time",
    query: listRunsQuery,
    ok: { status: 200, name: "RunList", schema: runList, description: "a page of runs" },
    errors: { 400: "a parameter is not valid" },
    handle: listRuns,
  },
  {
    method: "GET",
    path: "/runs/{id}",
    operationId: "getRun",
    scope: "runs:read",
    summary: "One run: status, steps, links, cost and timings",
    params: runIdParams,
    ok: { status: 200, name: "Run", schema: runView, description: "the run" },
    errors: { 400: "the id is not a run id", 404: "no such run in a repository you may read" },
    handle: getRun,
  },
  {
    method: "GET",
    path: "/runs/{id}/steps",
    operationId: "getRunSteps",
    scope: "runs:read",
    summary: "A run's steps with their durations, and its model calls (turns) with their tokens and cost",
    params: runIdParams,
    ok: { status: 200, name: "RunSteps", schema: runSteps, description: "the run's steps and turns" },
    errors: { 400: "the id is not a run id", 404: "no such run in a repository you may read" },
    handle: getRunSteps,
  },
  {
    method: "GET",
    path: "/runs/{id}/events",
    operationId: "getRunEvents",
    scope: "runs:read",
    summary: "A run's tool calls and commands, redacted and bounded, oldest first, a page at a time",
    params: runIdParams,
    query: runEventsQuery,
    ok: { status: 200, name: "RunEvents", schema: runEvents, description: "a page of the run's events" },
    errors: { 400: "the id is not a run id, or a parameter is not valid", 404: "no such run in a repository you may read" },
    handle: getRunEvents,
  },
  {
    method: "GET",
    path: "/usage",
    operationId: "getUsage",
    scope: "usage:read",
    summary: "Spend over the repositories you may read: by repository and month, by task, by person",
    query: usageQuery,
    ok: { status: 200, name: "Usage", schema: usageReport, description: "the spend" },
    errors: { 400: "a parameter is not valid" },
    handle: usage,
  },
  {
    method: "POST",
    path: "/runs/{id}/stop",
    operationId: "stopRun",
    scope: "runs:stop",
    summary: "Stop a run, as `/ai stop` does; needs write access to its repository",
    params: runIdParams,
    ok: { status: 200, name: "StopAnswer", schema: stopAnswer, description: "the run, stopped or stopping at its next step" },
    errors: { 400: "the id is not a run id", 403: "you may read the repository but not push to it", 404: "no such run in a repository you may read", 409: "the run has already finished" },
    handle: stop,
  },
  {
    method: "GET",
    path: "/queue",
    operationId: "getQueue",
    scope: "queue:read",
    summary: "Queue health: depth, queued and running runs, pickup latency, workers, and the failed jobs you may see",
    query: queueQuery,
    ok: { status: 200, name: "QueueOverview", schema: queueOverviewView, description: "the queue's figures" },
    errors: { 400: "a parameter was sent; this route takes none", 404: "this server serves no queue" },
    handle: getQueue,
  },
  {
    method: "POST",
    path: "/queue/jobs/{id}/retry",
    operationId: "retryJob",
    scope: "queue:retry",
    summary: "Queue a failed job to run again now; needs admin permission on its repository, or your login in DASHBOARD_ADMINS",
    params: queueJobParams,
    query: retryQuery,
    ok: { status: 200, name: "RetryAnswer", schema: retryAnswer, description: "the job, queued to run now" },
    errors: {
      400: "the id is not a job id, or failCount is not a count",
      403: "you may see the job but not administer its repository",
      404: "no such job that you may see",
      409: "the job is not failed (running, queued, or retried already), it failed again since the failCount you sent, or its run has finished",
    },
    handle: retryJob,
  },
  {
    method: "GET",
    path: "/tokens",
    operationId: "listTokens",
    summary: "Your personal API tokens, newest first: names, scopes, expiry, last use; never their secrets",
    scope: "tokens",
    ok: { status: 200, name: "TokenList", schema: tokenList, description: "your tokens" },
    errors: {},
    handle: listTokensRoute,
  },
  {
    method: "POST",
    path: "/tokens",
    operationId: "issueToken",
    summary: "Issue a personal API token with the scopes named, for at most a year; its secret is in this answer only",
    scope: "tokens",
    body: issueTokenBody,
    ok: { status: 201, name: "IssuedToken", schema: issuedToken, description: "the token, and its secret, shown this once" },
    errors: { 400: "the body is not valid", 409: "you hold the most active tokens one person may", 413: "the body is too large", 415: "the body is not JSON" },
    handle: issueTokenRoute,
  },
  {
    method: "POST",
    path: "/tokens/{id}/revoke",
    operationId: "revokeToken",
    summary: "Revoke one of your personal API tokens: it is refused from then on",
    scope: "tokens",
    params: tokenIdParams,
    ok: { status: 200, name: "RevokedToken", schema: revokedToken, description: "the token, revoked" },
    errors: { 400: "the id is not a token id", 404: "no token of yours has this id" },
    handle: revokeTokenRoute,
  },
];

export const errorSchema = { name: "Error", schema: errorBody };
