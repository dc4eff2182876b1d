import type { IncomingMessage, ServerResponse } from "node:http";
import { SignInRefused } from "../auth/github-oauth.js";
import { readJsonBody } from "./body.js";
import { type ApiReaders, NotCaller, createCallerOf } from "./caller.js";
import type { ApiStore } from "./context.js";
import type { QueueJobs } from "../../store/queue-health.js";
import { BadRequest, sendJson } from "./http.js";
import { openApiDocument } from "./openapi.js";
import { API_PREFIX, type ApiRoute, apiRoutes } from "./routes.js";

/**
 * `/api/v1`: finds the route, checks who is calling and that their token has the route's scope
 * (before the store is asked for anything else, so a request without credentials learns nothing),
 * reads the body of a route that takes one, and answers JSON, errors as `{ error }`.
 */

type Compiled = { route: ApiRoute; pattern: RegExp; names: string[] };

function compile(route: ApiRoute): Compiled {
  const names: string[] = [];
  // Route paths are plain words and `{name}`s: nothing else in them means anything to a RegExp.
  const source = route.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { route, pattern: new RegExp(`^${API_PREFIX}${source}/?$`), names };
}

/** A malformed escape stays as it came: the route's schema then names it as a bad parameter. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export interface ApiOptions {
  /** The queue's job records, for the queue routes; absent where the server serves no queue. */
  queueJobs?: QueueJobs;
  /** Epoch ms; tests move it to see tokens expire. */
  now?: () => number;
}

export function createApiHandler(store: ApiStore, readers: ApiReaders, options: ApiOptions = {}) {
  const now = options.now ?? Date.now;
  const { queueJobs } = options;
  const routes = apiRoutes.map(compile);
  const callerOf = createCallerOf(store, readers, now);
  // Made once: it depends on nothing but the code.
  const document = JSON.stringify(openApiDocument());
  return async function apiHandler(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== API_PREFIX && !url.pathname.startsWith(`${API_PREFIX}/`)) return false;
    if (url.pathname === `${API_PREFIX}/openapi.json` && req.method === "GET") {
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-cache" });
      res.end(document);
      return true;
    }
    const matches = routes.map((compiled) => ({ compiled, match: compiled.pattern.exec(url.pathname) })).filter((m) => m.match);
    const found = matches.find((m) => m.compiled.route.method === req.method);
    if (!found) {
      return matches.length
        ? sendJson(res, 405, { error: `${req.method ?? "this method"} is not allowed here; use ${matches.map((m) => m.compiled.route.method).join(" or ")}` })
        : sendJson(res, 404, { error: `no API route ${url.pathname}; the routes are listed at ${API_PREFIX}/openapi.json` });
    }
    try {
      const { route } = found.compiled;
      // Who, and whether their token may call this route, before a byte of the body is read.
      const caller = await callerOf(req, route.scope);
      const params = Object.fromEntries(found.compiled.names.map((name, index) => [name, decoded(found.match![index + 1]!)]));
      let body: unknown;
      if (route.body) {
        const read = await readJsonBody(req, res, route.body);
        if (!read.ok) return true;
        body = read.value;
      }
      const answer = await route.handle({ caller, params, query: Object.fromEntries(url.searchParams), body, store, readers, now, ...(queueJobs ? { queueJobs } : {}) });
      return sendJson(res, answer.status, answer.body);
    } catch (error) {
      if (error instanceof NotCaller) return sendJson(res, error.status, { error: error.message, ...(error.status === 401 ? { sign_in: readers.signIn.loginUrl("/") } : {}) });
      if (error instanceof BadRequest) return sendJson(res, 400, { error: error.message });
      if (error instanceof SignInRefused) return sendJson(res, 502, { error: `GitHub did not answer as expected: ${error.message}` });
      throw error;
    }
  };
}
