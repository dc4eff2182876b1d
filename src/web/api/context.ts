import type { QueueJobs } from "../../store/queue-health.js";
import type { Store } from "../../store/types.js";
import type { Caller, ApiReaders } from "./identity.js";

/** What a route of /api/v1 is handed: the checked caller, the path's parameters, the query and the body. */
export interface ApiContext {
  caller: Caller;
  /** From the path template, such as `{id}`; validated by the route's schema. */
  params: Record<string, string>;
  query: Record<string, string>;
  /** The JSON body, through the route's schema, for a route that takes one. */
  body?: unknown;
  store: ApiStore;
  readers: ApiReaders;
  /** The queue's job records, for the queue routes; absent where the server serves no queue. */
  queueJobs?: QueueJobs;
  /** Epoch ms: the clock tokens are issued and checked by; Date.now unless set. */
  now?: () => number;
}

export type ApiStore = Pick<
  Store,
  | "getRun"
  | "listRuns"
  | "updateRun"
  | "runUsage"
  | "usageReport"
  | "countActiveRuns"
  | "pickupLatency"
  | "listWorkers"
  | "listRunEvents"
  | "createApiToken"
  | "findApiTokenByHash"
  | "listApiTokens"
  | "revokeApiToken"
  | "touchApiToken"
  | "updateApiTokenGrant"
>;

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** A run the caller may read, or null: one of a repository they cannot read is as absent as one not there. */
export async function readableRun(ctx: ApiContext, id: string) {
  const run = await ctx.store.getRun(id);
  return run && ctx.caller.readable.has(run.repo.toLowerCase()) ? run : null;
}

export const notFound: ApiAnswer = { status: 404, body: { error: "run not found" } };
