/**
 * What happens to a run, as the status mirrors (Slack, Jira) hear it. Sinks get every event; each
 * decides what is worth a message. Their state (the Slack message's ts, the Jira comments already
 * posted) lives on the run, so a run resumed after a crash updates what it posted instead of posting
 * it again.
 */

export type RunEvent =
  | { type: "queued" }
  | { type: "started" }
  | { type: "step"; step: string; status: string }
  | { type: "pr_opened"; url: string }
  | { type: "review_posted"; url: string; findings: number }
  | { type: "succeeded"; summary?: string }
  | { type: "failed"; message: string }
  | { type: "stopped"; by: string }
  | { type: "budget_exceeded"; message: string };

export interface RunInfo {
  id: string;
  repo: string;
  number: number;
  kind: "issue" | "pull_request";
  task: string;
  actor: string;
  /** The issue or pull request title, once known. */
  title?: string;
  /** The issue or pull request on GitHub. */
  url: string;
  runUrl: string;
  costMicros: number;
  /** The Jira issue the run mirrors to, as findJiraKey read it from text by people with write access. */
  jiraKey?: string;
}

/** Small durable state per run and sink, kept in the run's links. */
export interface MirrorState {
  get(key: string): string | undefined;
  set(key: string, value: string): Promise<void>;
  /** True for the first caller only, across processes: who creates a run's Slack message. */
  claim(key: string): Promise<boolean>;
  /** Reads the run's state again, for a value another process is writing. */
  reload(): Promise<void>;
}

export interface StatusSink {
  readonly name: "slack" | "jira";
  handle(event: RunEvent, run: RunInfo, state: MirrorState): Promise<void>;
}

export const STATUS_TEXT: Record<RunEvent["type"], string> = {
  queued: "Queued",
  started: "Running",
  step: "Running",
  pr_opened: "Pull request opened",
  review_posted: "Review posted",
  succeeded: "Succeeded",
  failed: "Failed",
  stopped: "Stopped",
  budget_exceeded: "Stopped at its budget",
};
