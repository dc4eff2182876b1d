import { formatDuration } from "../../core/format.js";
import { type Html, html } from "./html.js";

/** Steps as bars on one time axis from the run's start, so where the time went is seen at a glance. */

interface TimedStep {
  id: string;
  name?: string;
  status: string;
  startedAt?: string;
  finishedAt?: string;
}

const WIDTH = 720;
const LABEL = 180;
const ROW = 22;

export function timeline(steps: readonly TimedStep[], run: { startedAt?: string; createdAt: string; finishedAt?: string }, now = Date.now()): Html {
  const timed = steps
    .map((step) => ({ step, from: step.startedAt ? Date.parse(step.startedAt) : NaN, to: step.finishedAt ? Date.parse(step.finishedAt) : now }))
    .filter((entry) => Number.isFinite(entry.from));
  if (timed.length === 0) return html``;
  const origin = Math.min(Date.parse(run.startedAt ?? run.createdAt), ...timed.map((entry) => entry.from));
  const end = Math.max(run.finishedAt ? Date.parse(run.finishedAt) : now, ...timed.map((entry) => entry.to));
  const span = Math.max(1, end - origin);
  const scale = (WIDTH - LABEL - 70) / span;
  const height = timed.length * ROW + 24;
  const label = `Timeline of ${timed.length} steps over ${formatDuration(span, { elapsed: span >= 1000 })}`;
  return html`<figure>
<svg class="timeline" role="img" aria-label="${label}" viewBox="0 0 ${WIDTH} ${height}" width="100%" preserveAspectRatio="xMinYMin meet">
${timed.map(({ step, from, to }, index) => {
  const y = index * ROW + 4;
  const x = LABEL + (from - origin) * scale;
  const width = Math.max(2, (to - from) * scale);
  return html`<g><text x="0" y="${y + 13}">${(step.name ?? step.id).slice(0, 28)}</text><rect class="bar s-${step.status.replace(/[^a-z_]/g, "")}" x="${x.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${ROW - 8}" rx="3"><title>${step.name ?? step.id}: ${formatDuration(to - from)} (${step.status})</title></rect><text x="${(x + width + 4).toFixed(1)}" y="${y + 13}">${formatDuration(to - from, { elapsed: to - from >= 1000 })}</text></g>`;
})}
<text x="${LABEL}" y="${height - 4}">0s</text><text x="${WIDTH - 70}" y="${height - 4}" text-anchor="end">${formatDuration(span, { elapsed: span >= 1000 })}</text>
</svg>
<figcaption class="sr-only">${label}</figcaption>
</figure>`;
}
