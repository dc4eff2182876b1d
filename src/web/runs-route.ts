import type { IncomingMessage, ServerResponse } from "node:http";
import { redactDeep } from "../core/redactor.js";
import type { Store } from "../store/types.js";
import type { Run } from "../core/run.js";
import type { RunLinks } from "./run-links.js";
import type { RepositoryAccess } from "./auth/access.js";
import type { SignIn } from "./auth/sign-in.js";

const RUN_PATH = /^\/runs\/([0-9a-f-]{1,64})\/?$/i;

export const UNSIGNED_LINK_MESSAGE = "this link is not signed or has expired; open the run from its tracking comment, or sign in with GitHub";

/**
 * `GET /runs/:id?sig=…&exp=…` — a run as JSON: status, steps, links, cost and timings, for clients
 * other than browsers (a browser gets the dashboard's page there, after sign-in: pages/). Only a
 * signed, unexpired link (run-links.ts) or a signed-in person who may read the repository opens a
 * run — the id alone is not enough, since an issue's readers see it — and what it shows is
 * redacted and leaves out what only the app needs. Without `links` and readers every request is
 * refused.
 */
/** Signing in with GitHub, and what a signed-in person may read: a run opens to them without a signed link. */
export interface RunReaders {
  signIn: Pick<SignIn, "session" | "loginUrl">;
  access: RepositoryAccess;
}

export function createRunsHandler(store: Pick<Store, "getRun">, links?: Pick<RunLinks, "verify">, readers?: RunReaders) {
  return async function runsHandler(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (req.method !== "GET") return false;
    const url = new URL(req.url ?? "/", "http://localhost");
    const match = RUN_PATH.exec(url.pathname);
    if (!match) return false;
    const id = match[1]!;
    const headers = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "referrer-policy": "no-referrer" };
    const send = (status: number, body: unknown) => {
      res.writeHead(status, headers);
      res.end(JSON.stringify(body));
      return true;
    };
    if (links?.verify(id, url.searchParams.get("sig"), url.searchParams.get("exp"))) {
      const run = await store.getRun(id);
      return send(run ? 200 : 404, run ? publicRun(run) : { error: "run not found" });
    }
    // Checked before the store is asked, so a request signed in nowhere learns nothing, not even whether the run exists.
    const session = readers?.signIn.session(req);
    if (!readers || !session) return send(401, { error: UNSIGNED_LINK_MESSAGE, ...(readers ? { sign_in: readers.signIn.loginUrl(url.pathname) } : {}) });
    const run = await store.getRun(id);
    // A run of a repository the person cannot read is as absent as one that is not there.
    const readable = await readers.access.readable(session.token).catch(() => undefined);
    if (!readable) return send(502, { error: "GitHub did not say which repositories you can read; try again shortly" });
    if (!run || !readable.has(run.repo.toLowerCase())) return send(404, { error: "run not found" });
    return send(200, publicRun(run));
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
    // The branch is kept by name; the dashboard makes its address.
    branch: run.links.branch || undefined,
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
