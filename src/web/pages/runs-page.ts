import type { z } from "zod";
import { runStatuses, runTasks } from "../../core/run.js";
import type { runView } from "../api/schemas.js";
import { type Html, html } from "./html.js";
import { count, durationBetween, notice, statusBadge, timeOf, usd } from "./views.js";

/** The runs list: filters that read as the API's query, a table, and paging by cursor. */

export type RunRow = z.infer<typeof runView>;

export interface RunsPageInput {
  runs: readonly RunRow[];
  nextCursor: string | null;
  /** The filters as the person set them (query parameters). */
  filters: Record<string, string>;
  /** Repositories the person may read, for the repository filter. */
  repositories: readonly string[];
  /** Why the filters were not applied, when they were not valid. */
  error?: string;
}

const FILTERS = ["repo", "task", "status", "actor", "since", "until"] as const;

function options(values: readonly string[], selected: string | undefined, any: string): Html {
  return html`<option value="">${any}</option>${values.map((value) => html`<option value="${value}"${value === selected ? html` selected` : ""}>${value.replace(/_/g, "-")}</option>`)}`;
}

function query(filters: Record<string, string>, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const name of FILTERS) if (filters[name]) params.set(name, filters[name]);
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : "";
}

export function runsPage(input: RunsPageInput): Html {
  const { filters } = input;
  const filtered = FILTERS.some((name) => filters[name]);
  return html`<h1>Runs</h1>
<form class="filters" method="get" action="/runs" role="search" aria-label="Filter runs">
  <label>Repository<select name="repo">${options(input.repositories, filters.repo?.toLowerCase(), "all repositories")}</select></label>
  <label>Task<select name="task">${options(runTasks, filters.task, "any task")}</select></label>
  <label>Status<select name="status">${options(runStatuses, filters.status, "any status")}</select></label>
  <label>Person<input name="actor" value="${filters.actor ?? ""}" placeholder="GitHub login" size="14"></label>
  <label>From<input type="date" name="since" value="${filters.since?.slice(0, 10) ?? ""}"></label>
  <label>Before<input type="date" name="until" value="${filters.until?.slice(0, 10) ?? ""}"></label>
  <button class="primary" type="submit">Filter</button>
  ${filtered && html`<a href="/runs">Clear</a>`}
</form>
${input.error && notice(`These filters could not be applied: ${input.error}`, "bad")}
${input.runs.length === 0
  ? notice(filtered || filters.cursor ? "No runs match these filters." : input.repositories.length === 0 ? "You cannot read any repository this app is installed on, so there are no runs to show." : "No runs yet. Label an issue ai:implement, or comment /ai plan on one, and its run appears here.")
  : html`<table>
  <caption class="sr-only">Runs, newest first</caption>
  <thead><tr><th scope="col">Status</th><th scope="col">Run</th><th scope="col">Task</th><th scope="col">Person</th><th scope="col">Trigger</th><th scope="col">Created</th><th scope="col" class="num">Duration</th><th scope="col" class="num">Cost</th></tr></thead>
  <tbody>
  ${input.runs.map(
    (run) => html`<tr>
    <td>${statusBadge(run.status)}</td>
    <td><a href="/runs/${run.id}">${run.repo}#${run.number}</a></td>
    <td>${run.task.replace(/_/g, "-")}</td>
    <td>${run.actor}</td>
    <td>${run.trigger.replace(/_/g, " ")}</td>
    <td>${timeOf(run.createdAt)}</td>
    <td class="num">${durationBetween(run.startedAt, run.finishedAt)}</td>
    <td class="num">${usd(run.costMicros)}</td>
  </tr>`,
  )}
  </tbody>
</table>`}
<nav class="pager" aria-label="Pages">
  ${filters.cursor && html`<a href="/runs${query(filters)}">← Newest</a>`}
  ${input.nextCursor && html`<a href="/runs${query(filters, { cursor: input.nextCursor })}" rel="next">Older runs →</a>`}
  <span class="muted">${count(input.runs.length)} shown</span>
</nav>`;
}
