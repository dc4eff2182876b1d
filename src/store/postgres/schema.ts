import { usageRollup } from "./usage-rollup.js";

/**
 * The tables ai-agent keeps beside Agenda's own `agenda_jobs`. Every statement is idempotent, so
 * migrate() runs on each start; a later change appends statements, it never edits these.
 */
export const migrations: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS ai_runs (
     id uuid PRIMARY KEY,
     repo text NOT NULL,
     installation_id bigint,
     number integer NOT NULL,
     kind text NOT NULL,
     task text NOT NULL,
     trigger text NOT NULL,
     actor text NOT NULL,
     delivery_id text,
     input text,
     status text NOT NULL,
     steps jsonb NOT NULL DEFAULT '[]'::jsonb,
     links jsonb NOT NULL DEFAULT '{}'::jsonb,
     cost_micros bigint NOT NULL DEFAULT 0,
     error text,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     started_at timestamptz,
     finished_at timestamptz
   )`,
  `CREATE INDEX IF NOT EXISTS ai_runs_target_idx ON ai_runs (repo, number, created_at DESC)`,
  `CREATE INDEX IF NOT EXISTS ai_runs_status_idx ON ai_runs (status, created_at DESC)`,
  `CREATE TABLE IF NOT EXISTS ai_deliveries (
     id text PRIMARY KEY,
     event text NOT NULL,
     action text,
     repo text,
     received_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE INDEX IF NOT EXISTS ai_deliveries_received_idx ON ai_deliveries (received_at)`,
  `CREATE TABLE IF NOT EXISTS ai_usage (
     id uuid PRIMARY KEY,
     run_id uuid,
     repo text NOT NULL,
     model text NOT NULL,
     input_tokens bigint NOT NULL,
     output_tokens bigint NOT NULL,
     cache_write_tokens bigint NOT NULL DEFAULT 0,
     cache_read_tokens bigint NOT NULL DEFAULT 0,
     cost_micros bigint NOT NULL,
     at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE INDEX IF NOT EXISTS ai_usage_repo_at_idx ON ai_usage (repo, at)`,
  `CREATE INDEX IF NOT EXISTS ai_usage_run_idx ON ai_usage (run_id)`,
  `ALTER TABLE ai_runs ADD COLUMN IF NOT EXISTS head_sha text`,
  `ALTER TABLE ai_runs ADD COLUMN IF NOT EXISTS stop_requested_by text`,
  // At most one queued and one running run per task on an issue or pull request.
  `CREATE UNIQUE INDEX IF NOT EXISTS ai_runs_one_queued_idx ON ai_runs (repo, number, task) WHERE status = 'queued'`,
  `CREATE UNIQUE INDEX IF NOT EXISTS ai_runs_one_running_idx ON ai_runs (repo, number, task) WHERE status = 'running'`,
  `CREATE TABLE IF NOT EXISTS ai_notices (key text PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now())`,
  `ALTER TABLE ai_runs ADD COLUMN IF NOT EXISTS workflow text`,
  `ALTER TABLE ai_runs ADD COLUMN IF NOT EXISTS snapshot jsonb`,
  // Budgets are held here before each model call (Store.reserveBudget); the ledger stays the record.
  `CREATE TABLE IF NOT EXISTS ai_budget_counters (
     key text PRIMARY KEY,
     spent_micros bigint NOT NULL DEFAULT 0,
     reserved_micros bigint NOT NULL DEFAULT 0,
     updated_at timestamptz NOT NULL DEFAULT now()
   )`,
  `ALTER TABLE ai_usage ADD COLUMN IF NOT EXISTS installation_id bigint`,
  `CREATE INDEX IF NOT EXISTS ai_usage_installation_at_idx ON ai_usage (installation_id, at) WHERE installation_id IS NOT NULL`,
  `CREATE TABLE IF NOT EXISTS ai_rate_counters (key text PRIMARY KEY, count integer NOT NULL, expires_at timestamptz NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS ai_rate_counters_expires_idx ON ai_rate_counters (expires_at)`,
  `ALTER TABLE ai_runs ADD COLUMN IF NOT EXISTS connection text`,
  `ALTER TABLE ai_runs ADD COLUMN IF NOT EXISTS basis jsonb`,
  // The API lists a person's runs by the repositories they may read, newest first, a page at a time.
  `CREATE INDEX IF NOT EXISTS ai_runs_repo_created_idx ON ai_runs (lower(repo), created_at DESC, id DESC)`,
  `CREATE INDEX IF NOT EXISTS ai_runs_created_idx ON ai_runs (created_at DESC, id DESC)`,
  `CREATE INDEX IF NOT EXISTS ai_usage_repo_lower_at_idx ON ai_usage (lower(repo), at)`,
  `CREATE INDEX IF NOT EXISTS ai_runs_actor_created_idx ON ai_runs (lower(actor), created_at DESC)`,
  // The dashboard shows each budget beside its spend: the limit the counter was last held to.
  `ALTER TABLE ai_budget_counters ADD COLUMN IF NOT EXISTS limit_micros bigint`,
  // Each worker process's heartbeat, for the queue page; a row per running process.
  `CREATE TABLE IF NOT EXISTS ai_workers (
     id text PRIMARY KEY,
     name text NOT NULL,
     role text NOT NULL,
     pid integer NOT NULL,
     host text NOT NULL,
     version text NOT NULL,
     concurrency integer NOT NULL,
     started_at timestamptz NOT NULL,
     jobs_running integer NOT NULL DEFAULT 0,
     last_seen_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE INDEX IF NOT EXISTS ai_workers_last_seen_idx ON ai_workers (last_seen_at)`,
  // Pickup latency reads the runs started in the last hour or day.
  `CREATE INDEX IF NOT EXISTS ai_runs_started_idx ON ai_runs (started_at) WHERE started_at IS NOT NULL`,
  // The usage report sums the ledger by repository, month, task and person; at a few hundred
  // thousand entries that takes seconds. These sums are kept as the ledger grows, for usageReport.
  ...usageRollup,
  // A run's tool calls and commands; the caller numbers them, so writing a batch again adds nothing.
  `CREATE TABLE IF NOT EXISTS ai_run_events (
     run_id uuid NOT NULL,
     seq integer NOT NULL,
     at timestamptz NOT NULL,
     step text,
     kind text NOT NULL,
     name text NOT NULL,
     summary text NOT NULL,
     output text,
     exit_code integer,
     duration_ms integer,
     truncated boolean NOT NULL DEFAULT false,
     PRIMARY KEY (run_id, seq)
   )`,
  // Personal API tokens: the secret's hash only, the GitHub grant behind each sealed by the web layer.
  `CREATE TABLE IF NOT EXISTS ai_api_tokens (
     id uuid PRIMARY KEY,
     login text NOT NULL,
     github_user_id bigint NOT NULL,
     name text NOT NULL,
     secret_hash text NOT NULL,
     scopes text[] NOT NULL,
     sealed_grant text NOT NULL,
     created_at timestamptz NOT NULL,
     expires_at timestamptz NOT NULL,
     revoked_at timestamptz,
     last_used_at timestamptz
   )`,
  `CREATE UNIQUE INDEX IF NOT EXISTS ai_api_tokens_secret_hash_idx ON ai_api_tokens (secret_hash)`,
  `CREATE INDEX IF NOT EXISTS ai_api_tokens_user_created_idx ON ai_api_tokens (github_user_id, created_at DESC)`,
];
