import type { IncomingMessage, ServerResponse } from "node:http";
import { redactDeep } from "../core/redactor.js";
import type { Store } from "../store/types.js";
import type { Run } from "../core/run.js";
import type { RunLinks } from "./run-links.js";

const RUN_PATH = /^\/runs\/([0-9a-f-]{1,64})\/?$/i;

export const UNSIGNED_LINK_MESSAGE = "this link is not signed or has expired; open the run from its tracking comment";

/**
 * `GET /runs/:id?sig=…&exp=…` — a run as JSON: status, steps, links, cost and timings. Tracking
 * comments link here until the dashboard exists. Only a signed, unexpired link (run-links.ts)
 * opens a run — the id alone is no longer enough, since an issue's readers see it — and what it
 * shows is redacted and leaves out what only the app needs. Without `links` every request is
 * refused. GitHub sign-in, for people who can read the repository, comes with the dashboard.
 */
export function createRunsHandler(store: Pick<Store, "getRun">, links?: Pick<RunLinks, "verify">) {
  return async function runsHandler(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (req.method !== "GET") return false;
    const url = new URL(req.url ?? "/", "http://localhost");
    const match = RUN_PATH.exec(url.pathname);
    if (!match) return false;
    const id = match[1]!;
    const headers = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "referrer-policy": "no-referrer" };
    // Checked before the store is asked, so an unsigned request learns nothing, not even whether the run exists.
    if (!links?.verify(id, url.searchParams.get("sig"), url.searchParams.get("exp"))) {
      res.writeHead(401, headers);
      res.end(JSON.stringify({ error: UNSIGNED_LINK_MESSAGE }));
      return true;
    }
    const run = await store.getRun(id);
    res.writeHead(run ? 200 : 404, headers);
    res.end(JSON.stringify(run ? publicRun(run) : { error: "run not found" }));
    return true;
  };
}

/**
 * What a run's page shows: named fields only, so a field added to runs later is not served until
 * someone decides it should be. Left out: the installation id, the delivery id, the snapshot of the
 * item's text, the basis it was accepted on (the configuration's files), and links that are bookkeeping rather than addresses (a Slack message's ts, the
 * tracking comment's id). Every string is redacted again on the way out: a run stored before its
 * secret was known, or by an older version, is served clean too.
 */
export function publicRun(run: Run): Record<string, unknown> {
  const view = {
    id: run.id,
    repo: run.repo,
    number: run.number,
    kind: run.kind,
    task: run.task,
    trigger: run.trigger,
    actor: run.actor,
    workflow: run.workflow,
    input: run.input,
    headSha: run.headSha,
    status: run.status,
    steps: run.steps,
    links: Object.fromEntries(Object.entries(run.links).filter(([, value]) => /^https?:\/\//.test(value))),
    costMicros: run.costMicros,
    costUsd: run.costMicros / 1_000_000,
    error: run.error,
    stopRequestedBy: run.stopRequestedBy,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
  // Dates become strings first, so redactDeep sees only plain values.
  return redactDeep(JSON.parse(JSON.stringify(view)) as Record<string, unknown>);
}
