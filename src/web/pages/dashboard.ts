import type { IncomingMessage, ServerResponse } from "node:http";
import { type Caller, NotCaller, personCallerOf } from "../api/caller.js";
import { BadRequest } from "../api/http.js";
import { serveAsset } from "./assets.js";
import { csrfToken } from "./csrf.js";
import { type Section, sendPage } from "./layout.js";
import type { DashboardDeps, PageContext } from "./page-context.js";

export type { DashboardDeps, DashboardStore } from "./page-context.js";
import { runsListPage, usageReportPage } from "./list-pages.js";
import { queueStatusPage, retryFromForm } from "./queue-pages.js";
import { issueFromForm, revokeFromForm, tokensListPage } from "./token-pages.js";
import { runDetailPage, runLiveStream, stopFromForm } from "./run-pages.js";
import { notice } from "./views.js";

/**
 * The dashboard: server-rendered pages over the same functions as /api/v1, for the person signed
 * in with GitHub. Nothing is shown to anyone not signed in: they are sent to sign in and brought
 * back. A run's page answers browsers at /runs/:id (the address tracking comments link to); other
 * clients there still get the run as JSON (./runs-route.ts).
 */

const RUN_PAGE = /^\/runs\/([0-9a-f-]{36})\/?$/i;
const RUN_LIVE = /^\/runs\/([0-9a-f-]{36})\/live$/i;
const RUN_STOP = /^\/runs\/([0-9a-f-]{36})\/stop$/i;
const TOKEN_REVOKE = /^\/tokens\/([0-9a-f-]{36})\/revoke$/i;
const JOB_RETRY = /^\/queue\/jobs\/([^/]{1,64})\/retry$/;

function wantsHtml(req: IncomingMessage): boolean {
  return /\btext\/html\b/i.test(req.headers.accept ?? "");
}

type Route = { method: "GET" | "POST"; match: (url: URL, req: IncomingMessage) => RegExpExecArray | boolean | null; section?: Section; handle: (ctx: PageContext, id: string) => Promise<unknown> };

const ROUTES: readonly Route[] = [
  { method: "GET", match: (url) => url.pathname === "/runs" || url.pathname === "/runs/", section: "runs", handle: (ctx) => runsListPage(ctx) },
  { method: "GET", match: (url, req) => (wantsHtml(req) ? RUN_PAGE.exec(url.pathname) : null), section: "runs", handle: (ctx, id) => runDetailPage(ctx, id) },
  { method: "GET", match: (url) => RUN_LIVE.exec(url.pathname), handle: (ctx, id) => runLiveStream(ctx, id) },
  { method: "POST", match: (url) => RUN_STOP.exec(url.pathname), handle: (ctx, id) => stopFromForm(ctx, id) },
  { method: "GET", match: (url) => url.pathname === "/usage", section: "usage", handle: (ctx) => usageReportPage(ctx) },
  { method: "GET", match: (url) => url.pathname === "/tokens", section: "tokens", handle: (ctx) => tokensListPage(ctx) },
  { method: "POST", match: (url) => url.pathname === "/tokens", section: "tokens", handle: (ctx) => issueFromForm(ctx) },
  { method: "POST", match: (url) => TOKEN_REVOKE.exec(url.pathname), section: "tokens", handle: (ctx, id) => revokeFromForm(ctx, id) },
  { method: "GET", match: (url) => url.pathname === "/queue", section: "queue", handle: (ctx) => queueStatusPage(ctx) },
  { method: "POST", match: (url) => JOB_RETRY.exec(url.pathname), section: "queue", handle: (ctx, id) => retryFromForm(ctx, id) },
];

export function createDashboardHandler(deps: DashboardDeps) {
  const { readers } = deps;
  return async function dashboardHandler(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (serveAsset(req, res, url.pathname)) return true;
    if (url.pathname === "/" && req.method === "GET") {
      res.writeHead(302, { location: "/runs", "cache-control": "no-store" });
      res.end();
      return true;
    }
    const found = ROUTES.map((route) => ({ route, match: route.method === req.method ? route.match(url, req) : null })).find((entry) => entry.match);
    if (!found) return false;
    const session = readers.signIn.session(req);
    const page: PageContext["page"] = (status, title, section, body) => sendPage(res, status, { title, ...(section ? { section } : {}), ...(session ? { login: session.login } : {}), csrf: csrfToken(deps.formKey, req) }, body);
    if (!session) {
      if (req.method !== "GET") return page(401, "Sign in", undefined, notice("Your session has ended. Sign in again, then repeat what you did.", "bad"));
      res.writeHead(302, { location: readers.signIn.loginUrl(url.pathname + url.search), "cache-control": "no-store" });
      res.end();
      return true;
    }
    let caller: Caller;
    try {
      caller = await personCallerOf(req, readers);
    } catch (error) {
      if (!(error instanceof NotCaller)) throw error;
      return page(error.status, "GitHub did not answer", found.route.section, notice(error.message, "bad"));
    }
    const id = Array.isArray(found.match) ? (found.match[1] ?? "") : "";
    const ctx: PageContext = {
      req,
      res,
      url,
      caller,
      api: (params = {}, query = {}) => ({ caller, params, query, store: deps.store, readers, ...(deps.queueJobs ? { queueJobs: deps.queueJobs } : {}) }),
      csrf: csrfToken(deps.formKey, req),
      deps,
      page,
    };
    try {
      await found.route.handle(ctx, id);
    } catch (error) {
      if (error instanceof BadRequest) return page(400, "Not valid", found.route.section, notice(error.message, "bad"));
      throw error;
    }
    return true;
  };
}
