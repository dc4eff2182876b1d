import { randomUUID } from "node:crypto";
import type { Pool } from "pg";
import { type ApiToken, type BudgetCounter, type BudgetReservation, type BudgetReservationResult, type Delivery, type RunFilter, type RunPatch, type RateClaim, RunConflictError, type RunEventEntry, type Store, type StoreKind, type UsageBreakdownFilter, type UsageEntry, type UsageGroup, type UsageRecord, type UsageReport, type UsageScope, type UsageTotals, type NewApiToken, monthRange, usageEntrySchema } from "../types.js";
import { type NewRun, type Run, type RunStatus, newRunSchema } from "../../core/run.js";
import { isDuplicateKeyError } from "../errors.js";
import { storable } from "../../core/safe-json.js";
import { migrations } from "./schema.js";
import { runFromRow, type RunRow } from "./rows.js";
import { runUsage, usageBreakdown, usageReport } from "./usage.js";
import type { PickupLatency, WorkerHeartbeat, WorkerRecord } from "../queue-health.js";
import { listWorkers, pickupLatency, recordWorker } from "./workers.js";
import { appendRunEvents, lastRunEventSeq, listRunEvents } from "./run-events.js";
import * as apiTokens from "./api-tokens.js";

/** The store on PostgreSQL; embedded PGlite speaks the same protocol through its socket server. */
export class PostgresStore implements Store {
  constructor(
    private readonly pool: Pool,
    readonly kind: StoreKind = "postgres",
  ) {}

  async migrate(): Promise<void> {
    for (const sql of migrations) await this.pool.query(sql);
  }

  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  async createRun(input: NewRun): Promise<Run> {
    const run = storable(newRunSchema.parse(input));
    const { rows } = await this.pool.query<RunRow>(
      `INSERT INTO ai_runs (id, repo, installation_id, number, kind, task, trigger, actor, delivery_id, input, head_sha, workflow, snapshot, connection, basis, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'queued') RETURNING *`,
      [
        randomUUID(),
        run.repo,
        run.installationId ?? null,
        run.number,
        run.kind,
        run.task,
        run.trigger,
        run.actor,
        run.deliveryId ?? null,
        run.input ?? null,
        run.headSha ?? null,
        run.workflow ?? null,
        run.snapshot ? JSON.stringify(run.snapshot) : null,
        run.connection ?? null,
        run.basis ? JSON.stringify(run.basis) : null,
      ],
    ).catch(conflictOr(run, "queued"));
    return runFromRow(rows[0] as RunRow);
  }

  async claimNotice(key: string): Promise<boolean> {
    const { rowCount } = await this.pool.query("INSERT INTO ai_notices (key) VALUES ($1) ON CONFLICT (key) DO NOTHING", [key]);
    return rowCount === 1;
  }

  async getRun(id: string): Promise<Run | null> {
    if (!isUuid(id)) return null;
    const { rows } = await this.pool.query<RunRow>("SELECT * FROM ai_runs WHERE id = $1", [id]);
    return rows[0] ? runFromRow(rows[0]) : null;
  }

  async updateRun(id: string, unsafe: RunPatch, options: { ifStatus?: RunStatus } = {}): Promise<Run | null> {
    if (!isUuid(id)) return null;
    // Step outputs and errors hold whatever commands and models wrote; every backend keeps the same safe form.
    const patch = storable(unsafe);
    const columns: Record<string, unknown> = {
      status: patch.status,
      head_sha: patch.headSha,
      basis: patch.basis === undefined ? undefined : JSON.stringify(patch.basis),
      stop_requested_by: patch.stopRequestedBy,
      steps: patch.steps === undefined ? undefined : JSON.stringify(patch.steps),
      links: patch.links === undefined ? undefined : JSON.stringify(patch.links),
      cost_micros: patch.costMicros,
      error: patch.error,
      started_at: patch.startedAt,
      finished_at: patch.finishedAt,
    };
    const sets: string[] = ["updated_at = now()"];
    const values: unknown[] = [id];
    for (const [column, value] of Object.entries(columns)) {
      if (value === undefined) continue;
      values.push(value);
      // Links merge: writers that know different links (tracking comment, Slack thread) keep each other's.
      sets.push(column === "links" ? `links = links || $${values.length}::jsonb` : `${column} = $${values.length}`);
    }
    let where = "id = $1";
    if (options.ifStatus) {
      values.push(options.ifStatus);
      where += ` AND status = $${values.length}`;
    }
    try {
      const { rows } = await this.pool.query<RunRow>(`UPDATE ai_runs SET ${sets.join(", ")} WHERE ${where} RETURNING *`, values);
      return rows[0] ? runFromRow(rows[0]) : null;
    } catch (error) {
      if (!isDuplicateKeyError(error) || !patch.status) throw error;
      const run = await this.getRun(id);
      throw run ? new RunConflictError(run.repo, run.number, run.task, patch.status) : error;
    }
  }

  async listRuns(filter: RunFilter = {}): Promise<Run[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (value: unknown, clause: (param: string) => string) => {
      values.push(value);
      where.push(clause(`$${values.length}`));
    };
    if (filter.repo !== undefined) add(filter.repo, (p) => `repo = ${p}`);
    // One value as `=`, not `= ANY`: only then does an index on it hand rows over newest first,
    // so a page of one repository's (or one status's) runs reads a page of rows, not all of them.
    if (filter.repos?.length === 1) add(filter.repos[0]!.toLowerCase(), (p) => `lower(repo) = ${p}`);
    else if (filter.repos !== undefined) add(filter.repos.map((repo) => repo.toLowerCase()), (p) => `lower(repo) = ANY(${p}::text[])`);
    if (filter.number !== undefined) add(filter.number, (p) => `number = ${p}`);
    if (filter.statuses?.length === 1) add(filter.statuses[0], (p) => `status = ${p}`);
    else if (filter.statuses !== undefined) add([...filter.statuses], (p) => `status = ANY(${p})`);
    if (filter.task !== undefined) add(filter.task, (p) => `task = ${p}`);
    if (filter.actor !== undefined) add(filter.actor.toLowerCase(), (p) => `lower(actor) = ${p}`);
    if (filter.since !== undefined) add(filter.since, (p) => `created_at >= ${p}`);
    if (filter.until !== undefined) add(filter.until, (p) => `created_at < ${p}`);
    if (filter.after !== undefined) {
      const { createdAt, id } = filter.after;
      values.push(createdAt);
      const at = `$${values.length}`;
      // The run's own created_at when it is there: the column keeps microseconds a Date loses.
      if (isUuid(id)) add(id, (p) => `(created_at, id) < (COALESCE((SELECT created_at FROM ai_runs WHERE id = ${p}::uuid), ${at}), ${p}::uuid)`);
      else where.push(`created_at < ${at}`);
    }
    values.push(filter.limit ?? 100);
    const { rows } = await this.pool.query<RunRow>(
      `SELECT * FROM ai_runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY created_at DESC, id DESC LIMIT $${values.length}`,
      values,
    );
    return rows.map(runFromRow);
  }

  async countActiveRuns(): Promise<{ queued: number; running: number }> {
    const { rows } = await this.pool.query<{ status: string; count: string }>(
      `SELECT status, count(*) AS count FROM ai_runs WHERE status IN ('queued', 'running') GROUP BY status`,
    );
    const count = (status: string) => Number(rows.find((row) => row.status === status)?.count ?? 0);
    return { queued: count("queued"), running: count("running") };
  }

  async recordDeliveries(deliveries: Delivery[]): Promise<number> {
    if (deliveries.length === 0) return 0;
    const now = new Date();
    const { rowCount } = await this.pool.query(
      `INSERT INTO ai_deliveries (id, event, action, repo, received_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
       ON CONFLICT (id) DO NOTHING`,
      [
        deliveries.map((d) => d.id),
        deliveries.map((d) => d.event),
        deliveries.map((d) => d.action ?? null),
        deliveries.map((d) => d.repo ?? null),
        deliveries.map((d) => d.receivedAt ?? now),
      ],
    );
    return rowCount ?? 0;
  }

  async knownDeliveries(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await this.pool.query<{ id: string }>(`SELECT id FROM ai_deliveries WHERE id = ANY($1::text[])`, [ids]);
    return new Set(rows.map((row) => row.id));
  }

  async forgetDeliveries(receivedBefore: Date): Promise<number> {
    const { rowCount } = await this.pool.query(`DELETE FROM ai_deliveries WHERE received_at < $1`, [receivedBefore]);
    return rowCount ?? 0;
  }

  async addUsage(input: UsageEntry): Promise<void> {
    const entry = usageEntrySchema.parse(input);
    await this.pool.query(
      `INSERT INTO ai_usage (id, run_id, repo, model, input_tokens, output_tokens, cache_write_tokens,
         cache_read_tokens, cost_micros, at, installation_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        randomUUID(),
        entry.runId ?? null,
        entry.repo,
        entry.model,
        entry.inputTokens,
        entry.outputTokens,
        entry.cacheWriteTokens,
        entry.cacheReadTokens,
        entry.costMicros,
        entry.at ?? new Date(),
        entry.installationId ?? null,
      ],
    );
  }

  async usageForMonth(scope: UsageScope, month: string): Promise<UsageTotals> {
    const { from, to } = monthRange(month);
    const { rows } = await this.pool.query<Record<keyof UsageTotals, string>>(
      `SELECT COALESCE(SUM(input_tokens), 0) AS "inputTokens",
              COALESCE(SUM(output_tokens), 0) AS "outputTokens",
              COALESCE(SUM(cache_write_tokens), 0) AS "cacheWriteTokens",
              COALESCE(SUM(cache_read_tokens), 0) AS "cacheReadTokens",
              COALESCE(SUM(cost_micros), 0) AS "costMicros",
              COUNT(*) AS "entries"
         FROM ai_usage WHERE ${typeof scope === "string" ? "repo" : "installation_id"} = $1 AND at >= $2 AND at < $3`,
      [typeof scope === "string" ? scope : scope.installationId, from, to],
    );
    const row = rows[0];
    if (!row) throw new Error("usage query returned no row");
    // SUM over bigint comes back as a numeric string; the totals fit a double exactly below 2^53.
    return {
      inputTokens: Number(row.inputTokens),
      outputTokens: Number(row.outputTokens),
      cacheWriteTokens: Number(row.cacheWriteTokens),
      cacheReadTokens: Number(row.cacheReadTokens),
      costMicros: Number(row.costMicros),
      entries: Number(row.entries),
    };
  }

  async runUsage(runId: string): Promise<UsageRecord[]> {
    return isUuid(runId) ? runUsage(this.pool, runId) : [];
  }

  usageBreakdown(filter: UsageBreakdownFilter): Promise<UsageGroup[]> {
    return usageBreakdown(this.pool, filter);
  }

  usageReport(filter: UsageBreakdownFilter): Promise<UsageReport> {
    return usageReport(this.pool, filter);
  }

  async appendRunEvents(runId: string, events: readonly RunEventEntry[]): Promise<void> {
    // Events of a run id that is no uuid belong to no run that could be listed.
    if (isUuid(runId)) await appendRunEvents(this.pool, runId, events);
  }

  async listRunEvents(runId: string, options: { afterSeq?: number; limit: number }): Promise<RunEventEntry[]> {
    return isUuid(runId) ? listRunEvents(this.pool, runId, options) : [];
  }

  async lastRunEventSeq(runId: string): Promise<number> {
    return isUuid(runId) ? lastRunEventSeq(this.pool, runId) : 0;
  }

  async reserveBudget(reservations: readonly BudgetReservation[]): Promise<BudgetReservationResult> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      // In key order, so two transactions on the same counters lock them in the same order.
      for (const r of [...reservations].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
        await client.query(`INSERT INTO ai_budget_counters (key, spent_micros) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [r.key, r.initialMicros ?? 0]);
        // The row lock makes a concurrent reservation wait, then re-check this condition on the row as it committed.
        const { rowCount } = await client.query(
          `UPDATE ai_budget_counters SET reserved_micros = reserved_micros + $2, limit_micros = $3, updated_at = now()
            WHERE key = $1 AND spent_micros + reserved_micros + $2 <= $3`,
          [r.key, r.amountMicros, r.limitMicros],
        );
        if (rowCount !== 1) {
          const { rows } = await client.query<{ spent_micros: string; reserved_micros: string }>(
            `SELECT spent_micros, reserved_micros FROM ai_budget_counters WHERE key = $1`,
            [r.key],
          );
          await client.query("ROLLBACK");
          return { ok: false, key: r.key, spentMicros: Number(rows[0]?.spent_micros ?? 0), reservedMicros: Number(rows[0]?.reserved_micros ?? 0) };
        }
      }
      await client.query("COMMIT");
      return { ok: true };
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async settleBudget(keys: readonly string[], reservedMicros: number, actualMicros: number): Promise<void> {
    if (keys.length === 0) return;
    await this.pool.query(
      `UPDATE ai_budget_counters SET reserved_micros = reserved_micros - $2, spent_micros = spent_micros + $3, updated_at = now()
        WHERE key = ANY($1::text[])`,
      [[...keys], reservedMicros, actualMicros],
    );
  }

  async budgetCounters(keys: readonly string[]): Promise<Map<string, BudgetCounter>> {
    const { rows } = await this.pool.query<{ key: string; spent_micros: string; reserved_micros: string; limit_micros: string | null }>(
      `SELECT key, spent_micros, reserved_micros, limit_micros FROM ai_budget_counters WHERE key = ANY($1::text[])`,
      [[...keys]],
    );
    return new Map(
      rows.map((row) => [
        row.key,
        { spentMicros: Number(row.spent_micros), reservedMicros: Number(row.reserved_micros), ...(row.limit_micros === null ? {} : { limitMicros: Number(row.limit_micros) }) },
      ]),
    );
  }

  async claimRate(key: string, limit: number, expiresAt: Date): Promise<RateClaim> {
    if (limit < 1) return { allowed: false, count: 0 };
    // Windows past their end are of no use to anyone; claims are rare enough to sweep them here.
    await this.pool.query(`DELETE FROM ai_rate_counters WHERE expires_at < now()`);
    const { rows } = await this.pool.query<{ count: number }>(
      `INSERT INTO ai_rate_counters (key, count, expires_at) VALUES ($1, 1, $3)
       ON CONFLICT (key) DO UPDATE SET count = ai_rate_counters.count + 1 WHERE ai_rate_counters.count < $2
       RETURNING count`,
      [key, limit, expiresAt],
    );
    return rows[0] ? { allowed: true, count: rows[0].count } : { allowed: false, count: limit };
  }

  recordWorker(heartbeat: WorkerHeartbeat): Promise<void> {
    return recordWorker(this.pool, heartbeat);
  }

  async removeWorker(id: string): Promise<void> {
    await this.pool.query(`DELETE FROM ai_workers WHERE id = $1`, [id]);
  }

  listWorkers(): Promise<WorkerRecord[]> {
    return listWorkers(this.pool);
  }

  async forgetWorkers(seenBefore: Date): Promise<number> {
    const { rowCount } = await this.pool.query(`DELETE FROM ai_workers WHERE last_seen_at < $1`, [seenBefore]);
    return rowCount ?? 0;
  }

  pickupLatency(since: Date): Promise<PickupLatency> {
    return pickupLatency(this.pool, since);
  }

  createApiToken(token: NewApiToken): Promise<ApiToken> {
    return apiTokens.createApiToken(this.pool, token);
  }

  findApiTokenByHash(secretHash: string): Promise<ApiToken | null> {
    return apiTokens.findApiTokenByHash(this.pool, secretHash);
  }

  listApiTokens(githubUserId: number): Promise<ApiToken[]> {
    return apiTokens.listApiTokens(this.pool, githubUserId);
  }

  async revokeApiToken(id: string, githubUserId: number, at: Date): Promise<ApiToken | null> {
    return isUuid(id) ? apiTokens.revokeApiToken(this.pool, id, githubUserId, at) : null;
  }

  async touchApiToken(id: string, at: Date): Promise<void> {
    if (isUuid(id)) await apiTokens.touchApiToken(this.pool, id, at);
  }

  async updateApiTokenGrant(id: string, sealedGrant: string): Promise<void> {
    if (isUuid(id)) await apiTokens.updateApiTokenGrant(this.pool, id, sealedGrant);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}


function conflictOr(run: NewRun, status: RunStatus) {
  return (error: unknown): never => {
    if (isDuplicateKeyError(error)) throw new RunConflictError(run.repo, run.number, run.task, status);
    throw error;
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Run ids come from URLs too; a malformed one is "not found", not a database error. */
const isUuid = (id: string): boolean => UUID.test(id);
