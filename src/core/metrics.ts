/**
 * What the layers tell the metrics about, as they do their work. The Prometheus registry behind it
 * lives in src/web/metrics.ts; every layer takes this interface as an optional dependency, so a
 * test or the CLI that passes none records nothing. Labels are closed sets (task, outcome, kind),
 * never a repository, a person or anything a stranger writes.
 *
 * Imports nothing of ours, so any layer may use it.
 */

/** What became of one webhook delivery at the door. */
export type DeliveryResult = "received" | "refused_bad_signature" | "refused_too_large" | "refused_backlog_full";

/** How a run ended, as the tracking comment says it. */
export type RunOutcome = "succeeded" | "failed" | "stopped";

export interface RunObservation {
  task: string;
  outcome: RunOutcome;
  /** From being queued to a worker starting it; absent for a run resumed after a crash. */
  pickupSeconds?: number;
  /** From its start to its end. */
  durationSeconds?: number;
  /** For a failure: what kind of error ended it (see `errorKind` in src/runs/execute-run.ts). */
  errorKind?: string;
}

/** One model response's tokens and price. */
export interface ModelUsageObservation {
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  costMicros: number;
}

export interface GitHubRequestObservation {
  method: string;
  /** The HTTP status, or undefined when no answer came (a timeout, a reset connection). */
  status: number | undefined;
  /** `x-ratelimit-remaining` of the answer, and `x-ratelimit-resource` (core, graphql, search). */
  rateLimitRemaining?: number;
  rateLimitResource?: string;
}

export interface MetricsRecorder {
  delivery(event: string, result: DeliveryResult): void;
  runFinished(observation: RunObservation): void;
  modelUsage(observation: ModelUsageObservation): void;
  githubRequest(observation: GitHubRequestObservation): void;
  /** An error outside a run's own failure: a queue job that failed, by its kind. */
  error(kind: string): void;
}
