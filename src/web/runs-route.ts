import type { IncomingMessage, ServerResponse } from "node:http";
import type { Store } from "../store/types.js";

const RUN_PATH = /^\/runs\/([0-9a-f-]{1,64})\/?$/i;

/**
 * `GET /runs/:id` — a run as JSON: status, steps, links, cost and timings. Tracking comments link
 * here until the dashboard exists. Runs hold no secrets; the id is an unguessable UUID.
 */
export function createRunsHandler(store: Pick<Store, "getRun">) {
  return async function runsHandler(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (req.method !== "GET") return false;
    const match = RUN_PATH.exec((req.url ?? "/").split("?")[0] ?? "/");
    if (!match) return false;
    const run = await store.getRun(match[1]!);
    res.writeHead(run ? 200 : 404, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
    res.end(JSON.stringify(run ? { ...run, costUsd: run.costMicros / 1_000_000 } : { error: "run not found" }));
    return true;
  };
}
