/**
 * The usage ledger summed by repository, month (UTC), task and person, kept by the database: a
 * trigger on ai_usage adds each statement's new entries to their groups in the same transaction,
 * whoever inserts them, so the sums cannot drift from the ledger. Task and person are the entry's
 * run's when it is recorded (a run's never change); '' stands for none, as a key cannot be null.
 * Appended to the migrations (./schema.ts): idempotent, and the table is filled from the ledger
 * once, when it is made.
 */

const SUMS = ["input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens", "cost_micros"] as const;

/** The groups of the ledger rows in `source` (a table or transition table named `u`), summed. */
const groupsOf = (source: string) => `
  SELECT u.repo, date_trunc('month', u.at AT TIME ZONE 'UTC')::date, COALESCE(r.task, ''), COALESCE(r.actor, ''),
         ${SUMS.map((column) => `SUM(u.${column})`).join(", ")}, COUNT(*)
    FROM ${source} u LEFT JOIN ai_runs r ON r.id = u.run_id
   GROUP BY 1, 2, 3, 4`;

const COLUMNS = `repo, month, task, actor, ${SUMS.join(", ")}, entries`;

export const usageRollup: readonly string[] = [
  // Statement-level, over the transition table: a bulk insert adds to each group once. In key
  // order, so two transactions adding to the same groups lock them in the same order.
  `CREATE OR REPLACE FUNCTION ai_usage_roll_up() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO ai_usage_monthly AS m (${COLUMNS})
     ${groupsOf("new_entries")} ORDER BY 1, 2, 3, 4
     ON CONFLICT (repo, month, task, actor) DO UPDATE SET
       ${[...SUMS, "entries"].map((column) => `${column} = m.${column} + EXCLUDED.${column}`).join(", ")};
     RETURN NULL;
   END $$`,
  // One transaction: while it fills the table from the ledger, the lock holds back writers, who
  // then find the trigger in place. Nothing is counted twice or missed.
  `DO $$
   BEGIN
     IF to_regclass('ai_usage_monthly') IS NULL THEN
       LOCK TABLE ai_usage IN SHARE MODE;
       CREATE TABLE ai_usage_monthly (
         repo text NOT NULL,
         month date NOT NULL,
         task text NOT NULL,
         actor text NOT NULL,
         ${SUMS.map((column) => `${column} bigint NOT NULL`).join(",\n         ")},
         entries bigint NOT NULL,
         PRIMARY KEY (repo, month, task, actor)
       );
       INSERT INTO ai_usage_monthly (${COLUMNS}) ${groupsOf("ai_usage")};
       CREATE TRIGGER ai_usage_roll_up AFTER INSERT ON ai_usage REFERENCING NEW TABLE AS new_entries
         FOR EACH STATEMENT EXECUTE FUNCTION ai_usage_roll_up();
     END IF;
   END $$`,
  `CREATE INDEX IF NOT EXISTS ai_usage_monthly_repo_month_idx ON ai_usage_monthly (lower(repo), month)`,
];
