import type { Logger } from "pino";
import type { GitHubClientFactory } from "../integrations/github/client.js";
import type { GitHubUrls } from "../integrations/github/urls.js";
import { httpStatus } from "../integrations/github/client.js";
import { configReadScope, tokenScope } from "../integrations/github/token-scope.js";
import { githubVersionControl } from "../integrations/github/version-control.js";
import { safeText } from "../core/safe-json.js";
import { type Store, RunConflictError } from "../store/types.js";
import { type Run, type RunStep } from "../core/run.js";
import { type RunContext, type TaskRegistry } from "./tasks.js";
import { RunStopped, UserFacingError, publicMessage } from "../core/errors.js";
import type { MetricsRecorder } from "../core/metrics.js";
import { BudgetExceeded } from "../agent/budget.js";
import { type Outcome, TrackingComment } from "./tracking-comment.js";

export interface ExecuteDeps {
  store: Store;
  github: GitHubClientFactory;
  tasks: TaskRegistry;
  runUrl: (runId: string) => string;
  log: Pick<Logger, "info" | "warn" | "error">;
  /** A line every tracking comment carries, e.g. that commands run unsandboxed. */
  notice?: string;
  /** Where GitHub lives (GHE_HOST), for the remote the forge names; github.com when absent. */
  urls?: GitHubUrls;
  /** How often a running run looks for a stop request (another worker's `/ai stop`). */
  stopPollMs?: number;
  /** Hears of each run that finishes: its task, outcome, pickup and duration. */
  metrics?: Pick<MetricsRecorder, "runFinished">;
}

const STOP_POLL_MS = 1_000;

/** `deferred`: another run of the same task is running on that target; try again shortly. */
export type ExecuteResult = "finished" | "deferred" | "skipped";

const TERMINAL = new Set(["succeeded", "failed", "stopped", "cancelled"]);
/** Characters of a summary or failure in the tracking comment; GitHub takes 65,536 in a comment. */
const POSTED_TEXT_LIMIT = 16 * 1024;
/** Implement, plan and follow-up runs keep a tracking comment; reviews report through their check run. */
const TRACKED = new Set(["implement", "plan", "follow_up"]);

/**
 * The run job. Idempotent: a run already finished is skipped, a run left "running" by a worker
 * that died is resumed (its tracking comment edited, not posted again).
 */
export async function executeRun(runId: string, deps: ExecuteDeps): Promise<ExecuteResult> {
  let run = await deps.store.getRun(runId);
  if (!run || TERMINAL.has(run.status)) return "skipped";
  // Measured only by the worker that takes the run from the queue, not by one that resumes it.
  let pickupSeconds: number | undefined;
  if (run.status === "queued") {
    try {
      // Only while still queued: a run stopped in the meantime stays stopped.
      const started = await deps.store.updateRun(runId, { status: "running", startedAt: new Date() }, { ifStatus: "queued" });
      if (started?.startedAt) pickupSeconds = secondsBetween(started.createdAt, started.startedAt);
      run = started ?? (await deps.store.getRun(runId));
      if (!run || TERMINAL.has(run.status)) return "skipped";
    } catch (error) {
      if (error instanceof RunConflictError) return "deferred";
      throw error;
    }
  }
  if (!run.installationId) throw new Error(`run ${runId} has no installation`);
  const [owner = "", repoName = ""] = run.repo.split("/");
  const { installationId } = run;
  const octokit = await deps.github(installationId, tokenScope(repoName, run.task));
  const versionControl = githubVersionControl(octokit, { owner, repo: repoName, installationId, ...(deps.urls ? { urls: deps.urls } : {}) });
  // The run's progress reaches its comment behind it: no step waits for GitHub's write throttle.
  const tracking = TRACKED.has(run.task) ? new TrackingComment(versionControl, deps.store, deps.runUrl(run.id), deps.log, deps.notice) : null;
  tracking?.show(run);

  let current: Run = run;
  const save = async (steps: RunStep[]) => {
    current = (await deps.store.updateRun(runId, { steps })) ?? { ...current, steps };
    tracking?.show(current);
  };
  // Steps of parallel groups report at the same time; each change is applied after the one before.
  let recording: Promise<void> = Promise.resolve();
  const recordSteps = (steps: readonly RunStep[]) => {
    recording = recording.then(async () => {
      const merged = [...current.steps];
      for (const step of steps) {
        const index = merged.findIndex((s) => s.id === step.id);
        if (index === -1) merged.push(step);
        else merged[index] = step;
      }
      await save(merged);
    });
    return recording;
  };
  // In the same queue as the steps, so a link and a step recorded together both reach the comment.
  const recordLinks = (links: Record<string, string>) => {
    recording = recording.then(async () => {
      current = (await deps.store.updateRun(runId, { links })) ?? { ...current, links: { ...current.links, ...links } };
      tracking?.show(current);
    });
    return recording;
  };
  const checkpoint = async () => {
    const latest = await deps.store.getRun(runId);
    if (latest?.stopRequestedBy) throw new RunStopped(latest.stopRequestedBy);
    if (latest) current = { ...latest, steps: current.steps };
  };
  // A stop asked on any worker reaches the running step within a poll, not at the next step.
  const stop = new AbortController();
  const watch = setInterval(() => {
    void deps.store.getRun(runId).then(
      (latest) => latest?.stopRequestedBy && !stop.signal.aborted && stop.abort(new RunStopped(latest.stopRequestedBy)),
      () => undefined, // the next poll tries again
    );
  }, deps.stopPollMs ?? STOP_POLL_MS);
  watch.unref();
  const context: RunContext = {
    run,
    octokit,
    versionControl,
    otherRepository: (_owner, name) => deps.github(installationId, configReadScope(name)),
    checkpoint,
    earlierRuns: async () => (await deps.store.listRuns({ repo: run.repo, number: run.number })).filter((other) => other.id !== runId),
    signal: stop.signal,
    recordStep: (step) => recordSteps([step]),
    recordSteps,
    recordLinks,
    async step(id, name, work) {
      await checkpoint();
      const previous = current.steps.find((s) => s.id === id);
      const started: RunStep = { id, name, status: "running", attempts: (previous?.attempts ?? 0) + 1, startedAt: new Date() };
      await save([...current.steps.filter((s) => s.id !== id), started]);
      try {
        const result = await work();
        await save(current.steps.map((s) => (s.id === id ? { ...s, status: "succeeded", finishedAt: new Date() } : s)));
        return result;
      } catch (error) {
        const message = publicMessage(error);
        await save(current.steps.map((s) => (s.id === id ? { ...s, status: "failed", finishedAt: new Date(), error: message } : s)));
        throw error;
      }
    },
  };

  let outcome: Outcome;
  let failure: unknown;
  try {
    const executor = deps.tasks[run.task];
    if (!executor) throw new UserFacingError(`The ${run.task} workflow is not available on this server yet.`);
    const result = await executor(context);
    // The summary and the failure are posted in the tracking comment: NUL-free, well-formed, bounded.
    outcome = { status: "succeeded", ...(result.summary ? { summary: safeText(result.summary, POSTED_TEXT_LIMIT) } : {}) };
    if (result.links) current = (await deps.store.updateRun(runId, { links: { ...current.links, ...result.links } })) ?? current;
  } catch (error) {
    const stoppedBy = error instanceof RunStopped ? error.by : stop.signal.reason instanceof RunStopped ? stop.signal.reason.by : undefined;
    if (stoppedBy !== undefined) {
      outcome = { status: "stopped", by: stoppedBy };
    } else {
      deps.log.error({ err: error, run: runId }, "run failed");
      failure = error;
      outcome = { status: "failed", message: safeText(publicMessage(error, { subject: "the run", runId }), POSTED_TEXT_LIMIT) };
    }
  }
  clearInterval(watch);
  // Progress still on its way lands first, so the final state is the only write left once the run
  // is marked finished, and reaches the comment a moment after (one throttled write), not several.
  await tracking?.flush();
  const finished = await deps.store.updateRun(runId, {
    status: outcome.status,
    finishedAt: new Date(),
    ...(outcome.status === "failed" ? { error: outcome.message } : {}),
  });
  // The final state lands before the job ends: a re-run finds the comment finished, and no edit of
  // an earlier state is still on its way to overtake it.
  if (tracking && finished) tracking.show(finished, outcome);
  await tracking?.flush();
  deps.log.info({ run: runId, status: outcome.status }, "run finished");
  const startedAt = finished?.startedAt ?? run.startedAt;
  deps.metrics?.runFinished({
    task: run.task,
    outcome: outcome.status,
    ...(pickupSeconds === undefined ? {} : { pickupSeconds }),
    ...(startedAt && finished?.finishedAt ? { durationSeconds: secondsBetween(startedAt, finished.finishedAt) } : {}),
    ...(outcome.status === "failed" ? { errorKind: errorKind(failure) } : {}),
  });
  return "finished";
}

function secondsBetween(from: Date, to: Date): number {
  return Math.max(0, (to.getTime() - from.getTime()) / 1000);
}

/**
 * What kind of error failed a run, for the metrics: a closed set, so that neither a library's
 * error names nor a message reaches a label. A stopped budget and a refusal written for the person
 * are theirs to act on; an HTTP status points at an API (GitHub's, the model's); the rest is ours.
 */
export function errorKind(error: unknown): "budget_exceeded" | "user_facing" | "api" | "internal" {
  if (error instanceof BudgetExceeded) return "budget_exceeded";
  if (error instanceof UserFacingError) return "user_facing";
  if (httpStatus(error) !== undefined) return "api";
  return "internal";
}
