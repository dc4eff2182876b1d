/**
 * The usage ledger's running sums, kept by the database for the usage report: a trigger on
 * ai_usage adds each statement's new entries in the same transaction, whoever inserts them, so the
 * sums cannot drift from the ledger. Each entry counts at three grains — all time, its month, its
 * day (UTC) — in three views: its repository alone (`dim` ''), with its run's task (`task`), with
 * its run's person (`actor`). Names are lower-cased as GitHub matches them; '' is "no run" (a key
 * cannot be null). A run's task and person never change, so reading them at insert is final.
 * Keys compare byte by byte ("C"): names are ASCII, and the report groups and sorts by them.
 * Appended to the migrations (./schema.ts): idempotent; the table is filled from the ledger once,
 * when it is made.
 */

export const SUM_COLUMNS = ["input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens", "cost_micros"] as const;

const COLUMNS = `grain, period, repo, dim, value, ${SUM_COLUMNS.join(", ")}, entries`;

/** The sums of the ledger rows in `source` (a table, or the trigger's transition table), by key. */
const sumsOf = (source: string) => `
  SELECT g.grain, g.period, e.repo, d.dim, d.value, ${SUM_COLUMNS.map((column) => `SUM(e.${column})`).join(", ")}, COUNT(*)
    FROM (SELECT lower(u.repo) AS repo, u.at AT TIME ZONE 'UTC' AS t, COALESCE(r.task, '') AS task, COALESCE(lower(r.actor), '') AS actor,
                 ${SUM_COLUMNS.map((column) => `u.${column}`).join(", ")}
            FROM ${source} u LEFT JOIN ai_runs r ON r.id = u.run_id) AS e
   CROSS JOIN LATERAL (VALUES ('all', '-infinity'::date), ('month', date_trunc('month', e.t)::date), ('day', e.t::date)) AS g (grain, period)
   CROSS JOIN LATERAL (VALUES ('', ''), ('task', e.task), ('actor', e.actor)) AS d (dim, value)
   GROUP BY 1, 2, 3, 4, 5`;

export const usageRollup: readonly string[] = [
  // Statement-level, over the transition table: a bulk insert adds to each key once. In key
  // order, so two transactions adding to the same keys lock them in the same order.
  `CREATE OR REPLACE FUNCTION ai_usage_roll_up() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO ai_usage_sums AS s (${COLUMNS})
     ${sumsOf("new_entries")} ORDER BY 1, 2, 3, 4, 5
     ON CONFLICT (grain, repo, period, dim, value) DO UPDATE SET
       ${[...SUM_COLUMNS, "entries"].map((column) => `${column} = s.${column} + EXCLUDED.${column}`).join(", ")};
     RETURN NULL;
   END $$`,
  // One transaction: while it fills the table from the ledger, the lock holds writers back, and
  // they then find the trigger in place. Nothing is counted twice or missed.
  `DO $$
   BEGIN
     IF to_regclass('ai_usage_sums') IS NULL THEN
       LOCK TABLE ai_usage IN SHARE MODE;
       CREATE TABLE ai_usage_sums (
         grain text COLLATE "C" NOT NULL,
         period date NOT NULL,
         repo text COLLATE "C" NOT NULL,
         dim text COLLATE "C" NOT NULL,
         value text COLLATE "C" NOT NULL,
         ${SUM_COLUMNS.map((column) => `${column} bigint NOT NULL`).join(",\n         ")},
         entries bigint NOT NULL,
         PRIMARY KEY (grain, repo, period, dim, value)
       );
       INSERT INTO ai_usage_sums (${COLUMNS}) ${sumsOf("ai_usage")};
       CREATE TRIGGER ai_usage_roll_up AFTER INSERT ON ai_usage REFERENCING NEW TABLE AS new_entries
         FOR EACH STATEMENT EXECUTE FUNCTION ai_usage_roll_up();
     END IF;
   END $$`,
];
