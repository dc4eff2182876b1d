/**
 * The dashboard's reads at size: 100,000 runs (and ~300,000 ledger entries) seeded, then the runs
 * list under each filter, a deep page and the usage report timed through GET /api/v1 over HTTP, on
 * PostgreSQL and on embedded PGlite. Run with `npm run bench:dashboard`; `--runs N` changes the
 * size, `--backend postgres|pglite` runs one, `--reps N` the timed requests per row (after 3
 * warm-ups), `--skip-analyze` leaves the planner without statistics, as PGlite (which runs no
 * autovacuum) is in use. PostgreSQL comes from TEST_DATABASE_URL or DATABASE_URL, else the local server; each
 * run uses a scratch database, dropped afterwards.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { z } from "zod";
import { type Database, openDatabase } from "../src/store/open.js";
import { freshPostgres } from "../test/helpers/databases.js";
import { actorNames, repoNames, seed } from "./dashboard-seed.js";
import { type DashboardApi, serveDashboardApi } from "./dashboard-timing.js";

const TARGET_MS = 100;
const WARM_UPS = 3;

const options = z
  .object({
    runs: z.coerce.number().int().min(1000, "--runs: at least 1000, so every filter finds something").default(100_000),
    backend: z.enum(["postgres", "pglite"], { error: "--backend: postgres or pglite" }).optional(),
    reps: z.coerce.number().int().min(1).max(1000).default(20),
    "skip-analyze": z.boolean().default(false),
  })
  .parse(parseArgs({ options: { runs: { type: "string" }, backend: { type: "string" }, reps: { type: "string" }, "skip-analyze": { type: "boolean" } } }).values);

/** Forty of the fifty repositories: a person sees most of an organisation, not all of it. */
const readable = new Set(repoNames.filter((_, i) => i % 5 !== 2).map((name) => name.toLowerCase()));

const day = 86_400_000;
const isoDay = (at: Date) => at.toISOString().slice(0, 10);
const monthStart = (monthsAgo: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, 1));
};
const twoMonthsAgo = new Date(Date.now() - 60 * day);

/** What the dashboard asks: each row one request, timed. `busy` is a readable repository named in another case than stored. */
const cases: readonly { name: string; path: string }[] = [
  { name: "runs, unfiltered", path: "/api/v1/runs" },
  { name: "runs, by repo (busy)", path: "/api/v1/runs?repo=acme/service-04" },
  { name: "runs, by repo (quiet)", path: "/api/v1/runs?repo=acme/service-48" },
  { name: "runs, by task", path: "/api/v1/runs?task=plan" },
  { name: "runs, by status (rare: running)", path: "/api/v1/runs?status=running" },
  { name: "runs, by status (rare: queued)", path: "/api/v1/runs?status=queued" },
  { name: "runs, by status (common: succeeded)", path: "/api/v1/runs?status=succeeded" },
  { name: "runs, by actor", path: `/api/v1/runs?actor=${actorNames[9]!.toUpperCase()}` },
  { name: "runs, a month's range", path: `/api/v1/runs?since=${isoDay(twoMonthsAgo)}&until=${isoDay(new Date(twoMonthsAgo.getTime() + 30 * day))}` },
  { name: "runs, repo + status", path: "/api/v1/runs?repo=acme/service-01&status=failed" },
  { name: "runs, repo + rare status", path: "/api/v1/runs?repo=acme/service-01&status=running" },
  { name: "runs, task + actor", path: `/api/v1/runs?task=implement&actor=${actorNames[30]!}` },
  { name: "runs, 100th page (cursor)", path: "" },
  { name: "usage, all readable repos", path: "/api/v1/usage" },
  { name: "usage, one repo", path: "/api/v1/usage?repo=acme/service-04" },
  { name: "usage, 3 whole months", path: `/api/v1/usage?since=${isoDay(monthStart(4))}&until=${isoDay(monthStart(1))}` },
  { name: "usage, last 90 days", path: `/api/v1/usage?since=${isoDay(new Date(Date.now() - 90 * day))}` },
  // The dashboard's pages: the same reads, rendered as HTML.
  { name: "page /runs, unfiltered", path: "/runs" },
  { name: "page /runs, repo + status", path: "/runs?repo=acme/service-01&status=failed" },
  { name: "page /runs, task + actor", path: `/runs?task=implement&actor=${actorNames[30]!}` },
  { name: "page /usage, all readable repos", path: "/usage" },
  { name: "page /usage, last 90 days", path: `/usage?since=${isoDay(new Date(Date.now() - 90 * day))}` },
];

/** The cursor of page 100 of the unfiltered list, read page by page as a person would. */
async function hundredthPage(api: DashboardApi): Promise<string> {
  let cursor: string | null = null;
  for (let page = 1; page < 100; page++) {
    const { body } = await api.get(`/api/v1/runs${cursor ? `?cursor=${cursor}` : ""}`);
    cursor = (body as { nextCursor: string | null }).nextCursor;
    if (!cursor) throw new Error(`the list ended at page ${page}; seed more runs for a 100th page`);
  }
  return `/api/v1/runs?cursor=${cursor}`;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const ms = (n: number) => n.toFixed(1).padStart(8);

async function measure(backend: string, database: Database): Promise<void> {
  const url = database.postgresUrl!;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const seeded = await seed(client, options.runs, {
    analyze: !options["skip-analyze"],
    onChunk: (done) => process.stdout.write(`\r${backend}: seeding ${done}/${options.runs} runs`),
  });
  await client.end();
  console.log(
    `\r${backend}: seeded ${seeded.runs} runs and ${seeded.usage} ledger entries in ${seeded.seconds.toFixed(1)} s ` +
      `(${Math.round(seeded.runs / seeded.seconds)} runs/s; steps ${seeded.stepsBytes} bytes of JSON on average)${options["skip-analyze"] ? "; not analyzed" : ""}`,
  );

  const api = await serveDashboardApi(url, database.kind, readable);
  try {
    const header = `${"request".padEnd(38)}${"p50".padStart(8)}${"p95".padStart(8)}${"max".padStart(8)}  │${"rt p50".padStart(8)}${"rt p95".padStart(8)}  │ target`;
    const lines: string[] = [];
    const misses: string[] = [];
    for (const row of cases) {
      const path = row.path || (await hundredthPage(api));
      const timings = await api.time(path, options.reps, WARM_UPS);
      const server = [...timings.server].sort((a, b) => a - b);
      const roundTrip = [...timings.roundTrip].sort((a, b) => a - b);
      const pass = percentile(server, 95) <= TARGET_MS;
      lines.push(
        `${row.name.padEnd(38)}${ms(percentile(server, 50))}${ms(percentile(server, 95))}${ms(server.at(-1) ?? NaN)}  │` +
          `${ms(percentile(roundTrip, 50))}${ms(percentile(roundTrip, 95))}  │ ≤ ${TARGET_MS} ms ${pass ? "PASS" : "MISS"}`,
      );
      if (!pass) {
        for (const query of api.lastQueries()) misses.push(`${row.name}:`, ...(await api.explain(query)).map((line) => `  ${line}`));
      }
    }
    console.log(`\n${backend}: ${options.runs} runs, ${readable.size} of ${repoNames.length} repositories readable; ms over ${options.reps} requests after ${WARM_UPS} warm-ups`);
    console.log(`${"".padEnd(38)}${"server time (the handler)".padStart(24)}  │${"round trip".padStart(16)}  │ (p95)`);
    console.log(header);
    for (const line of lines) console.log(line);
    if (misses.length) console.log(`\nplans of the rows that missed (EXPLAIN ANALYZE, top nodes):\n${misses.join("\n")}`);
  } finally {
    await api.close();
  }
}

async function onPostgres(): Promise<void> {
  const scratch = await freshPostgres();
  try {
    const database = await scratch.open();
    try {
      await measure("PostgreSQL", database);
    } finally {
      await database.close();
    }
  } finally {
    await scratch.dispose();
  }
}

async function onPglite(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "ai-agent-bench-"));
  try {
    const database = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      await measure("PGlite", database);
    } finally {
      await database.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (options.backend !== "pglite") await onPostgres();
if (options.backend !== "postgres") await onPglite();
