import type { GitHubClient } from "../integrations/github/client.js";
import type { VersionControl } from "../integrations/kinds/version-control.js";
import type { Run, RunStep, RunTask } from "../core/run.js";

/** What a task's code gets while a run executes. */
export interface RunContext {
  run: Run;
  octokit: GitHubClient;
  /** The run's repository on its forge, with the same access as `octokit`. */
  versionControl: VersionControl;
  /** A read-only client for another repository of the installation (the organisation's `.github`). */
  otherRepository?: (owner: string, repo: string) => Promise<GitHubClient>;
  /**
   * Runs one step: checks first whether someone asked the run to stop (the step boundary), then
   * records the step's status and timings and shows them in the tracking comment.
   */
  step<T>(id: string, name: string, work: () => Promise<T>): Promise<T>;
  /** Stores one step's state as a workflow engine reports it; calls are applied one at a time. */
  recordStep(step: RunStep): Promise<void>;
  /** Like recordStep, for several steps in one write (the steps a workflow is about to run). */
  recordSteps(steps: readonly RunStep[]): Promise<void>;
  /** Merges named links into the run's (what a step announced it made), shown in the tracking comment. */
  recordLinks?(links: Record<string, string>): Promise<void>;
  /** The other runs on the same issue or pull request, newest first: what earlier follow-ups covered. */
  earlierRuns?(): Promise<Run[]>;
  /** Throws RunStopped when someone asked the run to stop. */
  checkpoint(): Promise<void>;
  /** Aborted with RunStopped within about a second of someone asking the run to stop, on any worker. */
  signal: AbortSignal;
}

export interface TaskResult {
  summary?: string;
  links?: Record<string, string>;
}

export type TaskExecutor = (context: RunContext) => Promise<TaskResult>;

/** The code behind each task; a task without an entry fails its runs with a clear message. */
export type TaskRegistry = Partial<Record<RunTask, TaskExecutor>>;
