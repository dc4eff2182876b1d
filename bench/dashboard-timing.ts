import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { createApiHandler } from "../src/web/api/handler.js";
import { createDashboardHandler } from "../src/web/pages/dashboard.js";
import type { ApiReaders } from "../src/web/api/caller.js";
import { grantKeeper } from "../src/web/auth/grants.js";
import { PostgresStore } from "../src/store/postgres/index.js";
import type { StoreKind } from "../src/store/types.js";

/**
 * The dashboard's reads timed as a person meets them: GET /api/v1/… and the pages over real HTTP to
 * the API's and the dashboard's own handlers in this process, signed in as someone who may read `readable`. No GitHub is asked:
 * the readers answer from memory. Server time is the handler's own, from the request to the last
 * byte handed to the socket; the round trip adds the client's side of HTTP and JSON.
 */

export interface Timings {
  server: number[];
  roundTrip: number[];
}

export interface QueryRecord {
  text: string;
  values: unknown[];
}

export interface DashboardApi {
  get(path: string): Promise<{ status: number; body: unknown }>;
  /** Times `path` `reps` times after `warmUps` untimed requests. */
  time(path: string, reps: number, warmUps: number): Promise<Timings>;
  /** The SQL the store sent while answering the last request. */
  lastQueries(): QueryRecord[];
  /** EXPLAIN ANALYZE of a recorded query: its plan's top nodes, one line each. */
  explain(query: QueryRecord): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * A pool that remembers what it is asked. The store only calls `query(text, values)` and
 * `connect()`; the API's reads use the first.
 */
function recordingPool(pool: pg.Pool, record: (query: QueryRecord) => void): pg.Pool {
  return new Proxy(pool, {
    get(target, property, receiver) {
      if (property !== "query") return Reflect.get(target, property, receiver) as unknown;
      return (text: string, values: unknown[] = []) => {
        record({ text, values });
        return target.query(text, values);
      };
    },
  });
}

export async function serveDashboardApi(postgresUrl: string, kind: StoreKind, readable: ReadonlySet<string>): Promise<DashboardApi> {
  // Its own pool to the same database (for PGlite, through its socket, under its connection cap).
  const pool = new pg.Pool({ connectionString: postgresUrl, max: 2 });
  let log: QueryRecord[] = [];
  const store = new PostgresStore(recordingPool(pool, (query) => log.push(query)), kind);
  const session = { login: "bench-reader", id: 1, token: "bench-token-not-a-secret" };
  const readers: ApiReaders = {
    signIn: { session: () => session, loginUrl: () => "/login" },
    access: { readable: () => Promise.resolve(readable) },
    people: { whoIs: () => Promise.resolve(session), canPush: () => Promise.resolve(false), isAdmin: () => Promise.resolve(false) },
    // No API token is used here: the grants are never opened.
    grants: grantKeeper(Buffer.from("bench grant key"), { clientId: "bench", clientSecret: "bench", web: "http://127.0.0.1:9", api: "http://127.0.0.1:9" }),
  };
  const api = createApiHandler(store, readers);
  const pages = createDashboardHandler({ store, readers, formKey: Buffer.from("bench form key"), githubWeb: "https://github.com", defaultRepoBudgetMicros: 200_000_000 });
  const handle = async (req: IncomingMessage, res: ServerResponse) => (await pages(req, res)) || (await api(req, res));
  let serverMs = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    log = [];
    void handle(req, res).then(() => {
      serverMs = performance.now() - started;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const get = async (path: string) => {
    // Pages answer browsers: the same Accept a browser sends.
    const response = await fetch(`${base}${path}`, { headers: { accept: "text/html, application/json" } });
    const body: unknown = (response.headers.get("content-type") ?? "").includes("json") ? await response.json() : await response.text();
    return { status: response.status, body };
  };

  return {
    get,
    async time(path, reps, warmUps) {
      const timings: Timings = { server: [], roundTrip: [] };
      for (let i = 0; i < warmUps + reps; i++) {
        const started = performance.now();
        const { status } = await get(path);
        const roundTrip = performance.now() - started;
        if (status !== 200) throw new Error(`GET ${path} answered ${status}`);
        if (i >= warmUps) {
          timings.server.push(serverMs);
          timings.roundTrip.push(roundTrip);
        }
      }
      return timings;
    },
    lastQueries: () => [...log],
    async explain(query) {
      const { rows } = await pool.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${query.text}`, query.values);
      const plan = rows[0]?.["QUERY PLAN"][0]?.Plan;
      return plan ? describePlan(plan, 0, 6) : ["(no plan)"];
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Relation Name"?: string;
  "Actual Rows"?: number;
  "Actual Total Time"?: number;
  "Rows Removed by Filter"?: number;
  Plans?: PlanNode[];
}

/** A plan as lines, depth-first, to `limit` lines: node, index or table, rows, time. */
function describePlan(node: PlanNode, depth: number, limit: number): string[] {
  const on = node["Index Name"] ? ` using ${node["Index Name"]}` : node["Relation Name"] ? ` on ${node["Relation Name"]}` : "";
  const removed = node["Rows Removed by Filter"] ? `, ${node["Rows Removed by Filter"]} removed by filter` : "";
  const line = `${"  ".repeat(depth)}${node["Node Type"]}${on} (rows ${node["Actual Rows"] ?? "?"}${removed}, ${node["Actual Total Time"]?.toFixed(1) ?? "?"} ms)`;
  const lines = [line];
  for (const child of node.Plans ?? []) {
    if (lines.length >= limit) break;
    lines.push(...describePlan(child, depth + 1, limit - lines.length));
  }
  return lines;
}
