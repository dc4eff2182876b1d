import { type Run, type RunSnapshot, type RunStep, runBasisSchema, runStepSchema } from "../../core/run.js";

const stepsSchema = runStepSchema.array();

/** A row of ai_runs as node-postgres returns it (bigint columns arrive as strings). */
export interface RunRow {
  id: string;
  repo: string;
  installation_id: string | null;
  /** Absent on rows written before the column. */
  connection: string | null;
  number: number;
  kind: Run["kind"];
  task: Run["task"];
  trigger: Run["trigger"];
  actor: string;
  delivery_id: string | null;
  input: string | null;
  head_sha: string | null;
  workflow: string | null;
  snapshot: RunSnapshot | null;
  /** Absent on rows written before the column. */
  basis?: unknown;
  stop_requested_by: string | null;
  status: Run["status"];
  steps: RunStep[];
  links: Record<string, string>;
  cost_micros: string;
  error: string | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export function runFromRow(row: RunRow): Run {
  const run: Run = {
    id: row.id,
    repo: row.repo,
    number: row.number,
    kind: row.kind,
    task: row.task,
    trigger: row.trigger,
    actor: row.actor,
    status: row.status,
    // jsonb hands dates back as strings; the schema turns them into Dates again.
    steps: stepsSchema.parse(row.steps),
    links: row.links,
    costMicros: Number(row.cost_micros),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.installation_id !== null) run.installationId = Number(row.installation_id);
  if (row.connection !== null) run.connection = row.connection;
  if (row.delivery_id !== null) run.deliveryId = row.delivery_id;
  if (row.input !== null) run.input = row.input;
  if (row.error !== null) run.error = row.error;
  if (row.head_sha !== null) run.headSha = row.head_sha;
  if (row.workflow !== null) run.workflow = row.workflow;
  if (row.snapshot !== null) run.snapshot = row.snapshot;
  if (row.basis !== null && row.basis !== undefined) run.basis = runBasisSchema.parse(row.basis);
  if (row.stop_requested_by !== null) run.stopRequestedBy = row.stop_requested_by;
  if (row.started_at !== null) run.startedAt = row.started_at;
  if (row.finished_at !== null) run.finishedAt = row.finished_at;
  return run;
}
