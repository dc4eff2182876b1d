import type { IncomingMessage, ServerResponse } from "node:http";
import type { QueueJobs } from "../../store/queue-health.js";
import type { Store } from "../../store/types.js";
import type { ApiReaders, Caller } from "../api/caller.js";
import type { ApiContext, ApiStore } from "../api/context.js";
import type { Html } from "./html.js";
import type { Section } from "./layout.js";

/** What every dashboard page is built from: the dashboard's dependencies and one request's context. */

export type DashboardStore = ApiStore & Pick<Store, "budgetCounters" | "lastRunEventSeq">;

export interface DashboardDeps {
  store: DashboardStore;
  readers: ApiReaders;
  /** Keys the forms' tokens. */
  formKey: Buffer;
  /** The forge's web address (https://github.com, or GHE's). */
  githubWeb: string;
  /** BUDGET_DEFAULT_USD_PER_REPO_MONTH, in micro-dollars. */
  defaultRepoBudgetMicros: number;
  /** The queue's job records, for the queue page; absent where the server serves no queue. */
  queueJobs?: QueueJobs;
  /** How often a live page reads the store. */
  livePollMs?: number;
}

/** What a page handler is given: the request's caller, the API context to read through, and helpers. */
export interface PageContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  caller: Caller;
  api: (params?: Record<string, string>, query?: Record<string, string>) => ApiContext;
  csrf: string;
  deps: DashboardDeps;
  page: (status: number, title: string, section: Section | undefined, body: Html) => true;
}

/** The query's non-empty values among `names`: a form sends every field, empty ones too. */
export function filledQuery(url: URL, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = url.searchParams.get(name)?.trim();
    if (value) out[name] = value;
  }
  return out;
}
