import pg from "pg";
import type { TestApp } from "./app-server.js";
import { eventually } from "./app-server.js";

/**
 * Waits until the app has done all it will with one webhook delivery: its intake job has finished,
 * and so has the trigger job it queued, if it queued one. What a test then finds not done — no run,
 * no comment — was decided against, not merely not reached yet.
 */
export function deliveryJobs(app: TestApp): { handled(deliveryId: string): Promise<void>; close(): Promise<void> } {
  let pool: pg.Pool | undefined;
  const query = async (deliveryId: string) => {
    if (!pool) {
      pool = new pg.Pool({ connectionString: app.database.postgresUrl, max: 1 });
      pool.on("error", () => undefined); // the scratch database is dropped at the end
    }
    const { rows } = await pool.query<{ name: string; finished: boolean }>(
      `SELECT name, last_finished_at IS NOT NULL AS finished FROM agenda_jobs WHERE
         (name = 'intake' AND data->'entries' @> jsonb_build_array(jsonb_build_object('delivery', jsonb_build_object('id', $1::text))))
         OR (name = 'trigger' AND data->>'deliveryId' = $1)`,
      [deliveryId],
    );
    return rows;
  };
  return {
    async handled(deliveryId) {
      await eventually(async () => {
        const rows = await query(deliveryId);
        return rows.some((r) => r.name === "intake" && r.finished) && rows.filter((r) => r.name === "trigger").every((r) => r.finished);
      }, 30_000);
    },
    async close() {
      await pool?.end();
    },
  };
}
