import type { z } from "zod";
import { formatDuration } from "../../core/format.js";
import type { queueOverviewView } from "../api/schemas.js";
import { type Html, html } from "./html.js";
import { count, notice, statusBadge, timeOf } from "./views.js";

/** Queue and health: depth, workers, pickup latency, and failed jobs with a retry button for admins. */

export type QueueJson = z.infer<typeof queueOverviewView>;

export interface QueuePageInput {
  queue: QueueJson;
  /** Whether the person may retry a job of this repository (null: of no repository). */
  canRetry: (repo: string | null) => boolean;
  csrf: string;
  flash?: string;
}

const ms = (value: number | null) => (value === null ? "—" : formatDuration(value, { elapsed: value >= 1000 }));

export function queuePage(input: QueuePageInput): Html {
  const { queue } = input;
  const alive = queue.workers.filter((worker) => worker.alive);
  return html`<h1>Queue &amp; health</h1>
${input.flash && notice(input.flash)}
<dl class="facts">
  <div><dt>Runs waiting</dt><dd>${count(queue.runs.queued)}</dd></div>
  <div><dt>Runs in progress</dt><dd>${count(queue.runs.running)}</dd></div>
  <div><dt>Jobs due</dt><dd>${count(queue.depth.due)}</dd></div>
  <div><dt>Oldest due</dt><dd>${ms(queue.depth.oldestDueMs)}</dd></div>
  <div><dt>Workers alive</dt><dd>${alive.length}${alive.length === 0 ? html` <span class="s-failed">none</span>` : ""}</dd></div>
  <div><dt>Pickup p50 / p95 (hour)</dt><dd>${ms(queue.pickup.lastHour.p50Ms)} / ${ms(queue.pickup.lastHour.p95Ms)}</dd></div>
</dl>
${alive.length === 0 && notice("No worker has been heard from lately: queued runs wait until one starts (ROLE=worker or ROLE=all).", "bad")}
<h2>Pickup latency</h2>
<table><thead><tr><th scope="col">Window</th><th scope="col" class="num">Runs started</th><th scope="col" class="num">p50</th><th scope="col" class="num">p95</th><th scope="col" class="num">Longest</th></tr></thead>
<tbody>${(
    [
      ["Last hour", queue.pickup.lastHour],
      ["Last 24 hours", queue.pickup.lastDay],
    ] as const
  ).map(([label, latency]) => html`<tr><td>${label}</td><td class="num">${count(latency.runs)}</td><td class="num">${ms(latency.p50Ms)}</td><td class="num">${ms(latency.p95Ms)}</td><td class="num">${ms(latency.maxMs)}</td></tr>`)}</tbody></table>
<h2>Jobs by kind</h2>
${queue.depth.byName.length === 0
  ? notice("The queue is empty.")
  : html`<table><thead><tr><th scope="col">Job</th><th scope="col" class="num">Due</th><th scope="col" class="num">Scheduled</th><th scope="col" class="num">Running</th><th scope="col" class="num">Oldest due</th></tr></thead>
<tbody>${queue.depth.byName.map((row) => html`<tr><td>${row.name}</td><td class="num">${count(row.due)}</td><td class="num">${count(row.scheduled)}</td><td class="num">${count(row.locked)}</td><td class="num">${ms(row.oldestDueMs)}</td></tr>`)}</tbody></table>`}
<h2>Workers</h2>
${queue.workers.length === 0
  ? notice("No worker has recorded itself yet.")
  : html`<table><thead><tr><th scope="col">Worker</th><th scope="col">Role</th><th scope="col">Host</th><th scope="col">Version</th><th scope="col" class="num">Running / slots</th><th scope="col">Started</th><th scope="col">Last heard</th></tr></thead>
<tbody>${queue.workers.map((worker) => html`<tr><td>${worker.name}</td><td>${worker.role}</td><td>${worker.host} <span class="muted">pid ${worker.pid}</span></td><td>${worker.version}</td><td class="num">${worker.jobsRunning} / ${worker.concurrency}</td><td>${timeOf(worker.startedAt)}</td><td>${worker.alive ? html`${ms(worker.silentMs)} ago` : html`<span class="s-failed">gone</span> ${ms(worker.silentMs)} ago`}</td></tr>`)}</tbody></table>`}
<h2>Failed jobs</h2>
${queue.failed.length === 0
  ? notice("No failed job.")
  : html`<table><thead><tr><th scope="col">Job</th><th scope="col">Run</th><th scope="col">Why</th><th scope="col">Failed</th><th scope="col" class="num">Failures</th><th scope="col">Retry</th></tr></thead>
<tbody>${queue.failed.map(
      (job) => html`<tr><td>${job.name}</td><td>${job.runId ? html`<a href="/runs/${job.runId}">${job.repo ?? ""}${job.number !== null ? `#${job.number}` : ""}</a> ${job.runStatus && statusBadge(job.runStatus)}` : (job.repo ?? html`<span class="muted">—</span>`)}</td><td><code>${job.failReason}</code></td><td>${timeOf(job.failedAt)}</td><td class="num">${job.failCount}</td><td>${
        job.retryAt
          ? html`<span class="muted">retried by itself at </span>${timeOf(job.retryAt)}`
          : job.retryable && input.canRetry(job.repo)
            ? html`<form method="post" action="/queue/jobs/${job.id}/retry"><input type="hidden" name="csrf" value="${input.csrf}"><input type="hidden" name="failCount" value="${job.failCount}"><button class="primary" type="submit">Retry</button></form>`
            : job.retryable
              ? html`<span class="muted">admins only</span>`
              : html`<span class="muted">not retryable</span>`
      }</td></tr>`,
    )}</tbody></table>`}`;
}
