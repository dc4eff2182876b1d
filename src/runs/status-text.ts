import { formatDuration, formatUsd } from "../core/format.js";
import { type Run, type RunStep, taskLabel } from "../core/run.js";

/** Texts that describe runs to people: status replies and the tracking comment. */

/**
 * Where a run is in its workflow. A workflow run records its steps as pending before the first
 * starts, so the count is of the whole workflow; the steps of a called workflow (`call/step`) are
 * part of the step that called it and are not counted.
 */
function currentStep(all: readonly RunStep[]): string {
  const steps = all.filter((s) => !s.id.includes("/"));
  const done = steps.filter((s) => s.status === "succeeded" || s.status === "skipped").length;
  const running = steps.findIndex((s) => s.status === "running");
  if (running !== -1) {
    const step = steps[running]!;
    return `, step **${step.name ?? step.id}** (${running + 1} of ${steps.length})`;
  }
  return steps.length ? `, ${done} of ${steps.length} steps done` : "";
}

export function statusText(runs: readonly Run[], runUrl: (id: string) => string, now = new Date()): string {
  if (runs.length === 0) return "No run is active here.";
  return runs
    .map((run) => {
      const since = run.startedAt ?? run.createdAt;
      const state = run.status === "running" ? `running for ${formatDuration(now.getTime() - since.getTime(), { elapsed: true })}` : "queued";
      const stopping = run.stopRequestedBy ? ` (stop requested by @${run.stopRequestedBy})` : "";
      return `- [${taskLabel(run.task)} run](${runUrl(run.id)}): ${state}${currentStep(run.steps)}, cost so far ${formatUsd(run.costMicros)}${stopping}`;
    })
    .join("\n");
}

export function stopRequestedText(runs: readonly Run[], by: string, runUrl: (id: string) => string): string {
  if (runs.length === 0) return "There is no active run here to stop.";
  return runs
    .map((run) =>
      run.status === "queued"
        ? `Stopped the queued ${taskLabel(run.task)} run ${runUrl(run.id)} before it started (asked by @${by}).`
        : `Stopping the ${taskLabel(run.task)} run ${runUrl(run.id)} at its next step (asked by @${by}).`,
    )
    .join("\n");
}
