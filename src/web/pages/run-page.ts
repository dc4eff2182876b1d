import type { z } from "zod";
import { formatDuration } from "../../core/format.js";
import type { runEvents, runSteps, runView } from "../api/schemas.js";
import { type Html, html, safeHref } from "./html.js";
import { timeline } from "./timeline.js";
import { count, durationBetween, notice, statusBadge, timeOf, usd } from "./views.js";

/**
 * One run: what it is, its links, a stop button for people who may push, and the live part — its
 * steps on a timeline, its model turns with their tokens and cost, and the agent's tool calls —
 * which the page re-renders from server-sent events while the run is active.
 */

/** The shapes the API answers in: the page renders exactly what /api/v1 serves. */
export type StepRow = z.infer<typeof runSteps>["steps"][number];
export type TurnRow = z.infer<typeof runSteps>["turns"][number];
export type EventRow = z.infer<typeof runEvents>["events"][number];
export type RunView = z.infer<typeof runView>;

export interface RunPageInput {
  run: RunView;
  steps: readonly StepRow[];
  turns: readonly TurnRow[];
  events: readonly EventRow[];
  /** Earlier events not on the page (the API serves them). */
  eventsLeftOut?: number;
  /** The forge's web address, for the issue or pull request link. */
  githubWeb: string;
  /** Whether the person may stop it (write access), and the form token to do so. */
  stop?: { csrf: string };
  /** Said once after a stop was asked. */
  flash?: string;
}

export const ACTIVE = new Set(["queued", "running"]);

const LINK_LABELS: Record<string, string> = {
  trackingComment: "Tracking comment",
  pull_request: "Pull request",
  pullRequest: "Pull request",
  branch: "Branch",
  slack: "Slack thread",
  slackThread: "Slack thread",
  jira: "Jira issue",
  jiraIssue: "Jira issue",
  linearIssue: "Linear issue",
  checkRun: "Check run",
};

function linkLabel(key: string): string {
  if (LINK_LABELS[key]) return LINK_LABELS[key];
  if (/^slack/i.test(key)) return "Slack thread";
  if (/^jira/i.test(key)) return "Jira issue";
  return key.replace(/[_-]+/g, " ").replace(/([a-z])([A-Z])/g, "$1 $2").replace(/^./, (c) => c.toUpperCase());
}

function links(input: RunPageInput): Html {
  const { run } = input;
  const web = input.githubWeb.replace(/\/$/, "");
  const item = `${web}/${run.repo}/${run.kind === "pull_request" ? "pull" : "issues"}/${run.number}`;
  const entries = [
    { label: run.kind === "pull_request" ? `Pull request #${run.number}` : `Issue #${run.number}`, href: safeHref(item) },
    ...(run.branch ? [{ label: `Branch ${run.branch}`, href: safeHref(`${web}/${run.repo}/tree/${run.branch.split("/").map(encodeURIComponent).join("/")}`) }] : []),
    ...Object.entries(run.links).map(([key, url]) => ({ label: linkLabel(key), href: safeHref(url) })),
  ].filter((entry) => entry.href);
  return html`<div class="links">${entries.map((entry) => html`<a href="${entry.href}" rel="noreferrer">${entry.label}</a>`)}</div>`;
}

function tokens(n: number): string {
  return count(n);
}

function stepsTable(steps: readonly StepRow[]): Html {
  if (steps.length === 0) return notice("No step has started yet.");
  return html`<table>
<caption class="sr-only">Steps</caption>
<thead><tr><th scope="col">Step</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col" class="num">Duration</th><th scope="col" class="num">Attempts</th><th scope="col">Detail</th></tr></thead>
<tbody>${steps.map(
    (step) => html`<tr>
  <td>${step.name ?? step.id}${step.name && html` <span class="muted">(${step.id})</span>`}</td>
  <td>${statusBadge(step.status)}</td>
  <td>${timeOf(step.startedAt)}</td>
  <td class="num">${step.durationMs === null ? (step.startedAt && !step.finishedAt ? durationBetween(step.startedAt, undefined) + "…" : "—") : formatDuration(step.durationMs, { elapsed: step.durationMs >= 1000 })}</td>
  <td class="num">${step.attempts}</td>
  <td>${step.error && html`<span class="s-failed">${step.error}</span>`}${step.note && html`<span class="muted">${step.note}</span>`}${step.outputs && Object.keys(step.outputs).length > 0 && html`<details><summary>Outputs</summary><pre>${JSON.stringify(step.outputs, null, 2).slice(0, 8_000)}</pre></details>`}</td>
</tr>`,
  )}</tbody>
</table>`;
}

function turnsTable(turns: readonly TurnRow[]): Html {
  if (turns.length === 0) return notice("No model call yet.");
  const sum = turns.reduce(
    (acc, t) => ({ i: acc.i + t.inputTokens, o: acc.o + t.outputTokens, w: acc.w + t.cacheWriteTokens, r: acc.r + t.cacheReadTokens, c: acc.c + t.costMicros }),
    { i: 0, o: 0, w: 0, r: 0, c: 0 },
  );
  return html`<table>
<caption class="sr-only">Model turns, oldest first</caption>
<thead><tr><th scope="col">#</th><th scope="col">Model</th><th scope="col">Step</th><th scope="col" class="num">Input</th><th scope="col" class="num">Output</th><th scope="col" class="num">Cache write</th><th scope="col" class="num">Cache read</th><th scope="col" class="num">Cost</th><th scope="col">At</th></tr></thead>
<tbody>${turns.map(
    (turn, index) => html`<tr><td>${index + 1}</td><td>${turn.model}</td><td>${turn.step ?? "—"}</td><td class="num">${tokens(turn.inputTokens)}</td><td class="num">${tokens(turn.outputTokens)}</td><td class="num">${tokens(turn.cacheWriteTokens)}</td><td class="num">${tokens(turn.cacheReadTokens)}</td><td class="num">${usd(turn.costMicros)}</td><td>${timeOf(turn.at)}</td></tr>`,
  )}</tbody>
<tfoot><tr><th scope="row" colspan="3">Total</th><td class="num">${tokens(sum.i)}</td><td class="num">${tokens(sum.o)}</td><td class="num">${tokens(sum.w)}</td><td class="num">${tokens(sum.r)}</td><td class="num">${usd(sum.c)}</td><td></td></tr></tfoot>
</table>`;
}

function eventsList(events: readonly EventRow[]): Html {
  if (events.length === 0) return notice("No tool call or command recorded yet.");
  return html`<ol class="events">${events.map(
    (event) => html`<li><details><summary><strong>${event.name}</strong> <code>${event.summary}</code>${event.exitCode !== undefined && event.exitCode !== null && html` <span class="${event.exitCode === 0 ? "s-succeeded" : "s-failed"}">exit ${event.exitCode}</span>`}${event.durationMs != null && html` <span class="muted">${formatDuration(event.durationMs)}</span>`}${event.step && html` <span class="muted">· ${event.step}</span>`}</summary>${event.output ? html`<pre>${event.output}</pre>${event.truncated && html`<p class="muted">Output shortened.</p>`}` : html`<p class="muted">No output.</p>`}</details></li>`,
  )}</ol>`;
}

/** The part that changes while the run goes on; sent again whole on each update. */
export function runLive(input: RunPageInput): Html {
  const { run } = input;
  const started = run.startedAt;
  return html`<dl class="facts">
  <div><dt>Status</dt><dd>${statusBadge(run.status)}${run.stopRequestedBy && ACTIVE.has(run.status) && html` <span class="muted">stop asked by ${run.stopRequestedBy}</span>`}</dd></div>
  <div><dt>Person</dt><dd>${run.actor}</dd></div>
  <div><dt>Trigger</dt><dd>${run.trigger.replace(/_/g, " ")}${run.workflow && html` · ${run.workflow}`}</dd></div>
  <div><dt>Created</dt><dd>${timeOf(run.createdAt)}</dd></div>
  <div><dt>Started</dt><dd>${timeOf(run.startedAt)}</dd></div>
  <div><dt>Duration</dt><dd>${durationBetween(started, run.finishedAt)}</dd></div>
  <div><dt>Cost</dt><dd>${usd(run.costMicros)}</dd></div>
</dl>
${run.error && notice(run.error, "bad")}
<h2 id="steps">Steps</h2>
${timeline(input.steps, run)}
${stepsTable(input.steps)}
<h2 id="turns">Model turns</h2>
${turnsTable(input.turns)}
<h2 id="tools">Tool calls and commands</h2>
${input.eventsLeftOut && html`<p class="muted">The latest ${input.events.length} are shown; ${input.eventsLeftOut} earlier ones are at <a href="/api/v1/runs/${run.id}/events">/api/v1/runs/${run.id}/events</a>.</p>`}
${eventsList(input.events)}`;
}

export function runPage(input: RunPageInput): Html {
  const { run } = input;
  const active = ACTIVE.has(run.status);
  return html`<p class="muted"><a href="/runs">Runs</a> / ${run.repo}</p>
<h1>${run.task.replace(/_/g, "-")} · ${run.repo}#${run.number}</h1>
${input.flash && notice(input.flash)}
${links(input)}
${run.input && html`<p><span class="muted">Asked:</span> ${run.input}</p>`}
${active && input.stop && html`<form method="post" action="/runs/${run.id}/stop" data-confirm="Stop this run? It stops at its next step.">
  <input type="hidden" name="csrf" value="${input.stop.csrf}">
  <button class="danger" type="submit">Stop run</button>
</form>`}
${active && html`<p class="muted" aria-live="polite"><span class="live-dot" aria-hidden="true"></span>Updates <span data-live-state>live</span></p>`}
<section${active ? html` data-live="/runs/${run.id}/live"` : ""} aria-live="off">${runLive(input)}</section>`;
}
