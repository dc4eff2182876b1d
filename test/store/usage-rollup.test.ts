import pg from "pg";
import { describe, expect, it } from "vitest";
import { migrations } from "../../src/store/postgres/schema.js";
import { usageRollup } from "../../src/store/postgres/usage-rollup.js";
import { type TestDatabase, freshPglite, freshPostgres } from "../helpers/databases.js";

/**
 * The monthly usage sums arrive in a database whose ledger already holds spend: the migration fills
 * them from it once, and from then on the trigger keeps them, also for many rows in one statement.
 */

const before = migrations.slice(0, migrations.indexOf(usageRollup[0]!));
const RUN_ID = "6f1c2c52-5a4e-4c8e-9d1a-3b2f6a7e8d90";

/** The database as a release before the sums left it: its schema, one run, and spend. */
const olderRelease = [
  ...before,
  `INSERT INTO ai_runs (id, repo, number, kind, task, trigger, actor, status) VALUES ('${RUN_ID}', 'Old-Org/App', 1, 'issue', 'plan', 'command', 'Octocat', 'succeeded')`,
  `INSERT INTO ai_usage (id, run_id, repo, model, input_tokens, output_tokens, cost_micros, at)
   SELECT gen_random_uuid(), CASE WHEN i % 2 = 0 THEN '${RUN_ID}'::uuid END, 'Old-Org/App', 'claude-sonnet-4-5', i, 1, i, timestamptz '2026-01-31 23:00:00+00' + i * interval '1 minute'
     FROM generate_series(1, 100) AS i`,
];

async function preparedAsOlderRelease(testDb: TestDatabase): Promise<void> {
  if (testDb.target.kind === "postgres") {
    const client = new pg.Client({ connectionString: testDb.target.url });
    await client.connect();
    for (const sql of olderRelease) await client.query(sql);
    await client.end();
  } else if (testDb.target.kind === "pglite") {
    const { PGlite } = await import("@electric-sql/pglite");
    const db = await PGlite.create(testDb.target.dataDir);
    for (const sql of olderRelease) await db.exec(sql);
    await db.close();
  }
}

describe.each([
  ["PostgreSQL", freshPostgres],
  ["PGlite", freshPglite],
])("monthly usage sums on %s", (_name, create) => {
  it("are filled from the ledger already there, once, and then kept by bulk inserts too", async () => {
    const testDb = await create();
    try {
      await preparedAsOlderRelease(testDb);
      const database = await testDb.open();
      try {
        await database.store.migrate();
        const whole = { repos: ["old-org/app"], since: new Date("2026-01-01T00:00:00Z"), until: new Date("2026-03-01T00:00:00Z") };
        const brief = async () => {
          const report = await database.store.usageReport(whole);
          return { months: report.byRepoMonth.map(({ month, costMicros, entries }) => ({ month, costMicros, entries })), tasks: report.byTask.map(({ task, costMicros, entries }) => ({ task, costMicros, entries })) };
        };
        // Minutes 1..59 fall in January, 60..100 in February; even ones were spent in the run.
        const odd = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k).filter((i) => i % 2 === 1);
        const even = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k).filter((i) => i % 2 === 0);
        const total = (list: number[]) => list.reduce((sum, i) => sum + i, 0);
        const expected = {
          months: [
            { month: "2026-01", costMicros: total([...odd(1, 59), ...even(1, 59)]), entries: 59 },
            { month: "2026-02", costMicros: total([...odd(60, 100), ...even(60, 100)]), entries: 41 },
          ],
          tasks: [
            { task: null, costMicros: total(odd(1, 100)), entries: 50 },
            { task: "plan", costMicros: total(even(1, 100)), entries: 50 },
          ],
        };
        expect(await brief()).toEqual(expected);

        const client = new pg.Client({ connectionString: database.postgresUrl });
        await client.connect();
        await client.query(
          `INSERT INTO ai_usage (id, run_id, repo, model, input_tokens, output_tokens, cost_micros, at)
           SELECT gen_random_uuid(), '${RUN_ID}', 'Old-Org/App', 'claude-sonnet-4-5', 1, 1, 1000, timestamptz '2026-02-10 00:00:00+00' FROM generate_series(1, 50)`,
        );
        await client.end();
        expected.months[1] = { ...expected.months[1]!, costMicros: expected.months[1]!.costMicros + 50_000, entries: 91 };
        expected.tasks[1] = { ...expected.tasks[1]!, costMicros: expected.tasks[1]!.costMicros + 50_000, entries: 100 };
        expect(await brief()).toEqual(expected);
      } finally {
        await database.close();
      }
    } finally {
      await testDb.dispose();
    }
  });
});
