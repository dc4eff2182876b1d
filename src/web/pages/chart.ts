import { type Html, html } from "./html.js";

/**
 * A horizontal bar chart as SVG, with a budget line where a row has one, and the same figures as a
 * table beside it for screen readers and for copying: the chart is drawn on the server, no script.
 */

export interface Bar {
  label: string;
  value: number;
  /** A budget the bar is measured against: a dashed line, and the bar in red past it. */
  limit?: number;
}

export interface ChartOptions {
  title: string;
  format: (value: number) => string;
  /** Heading of the label column in the table. */
  labelHeading: string;
}

const WIDTH = 760;
const LABEL = 180;
/** Room right of the longest bar for its figure and budget. */
const FIGURE = 180;
const ROW = 24;

export function barChart(bars: readonly Bar[], options: ChartOptions): Html {
  if (bars.length === 0) return html`<p class="muted">Nothing to show for ${options.title.toLowerCase()}.</p>`;
  const max = Math.max(1, ...bars.map((bar) => Math.max(bar.value, bar.limit ?? 0)));
  const scale = (WIDTH - LABEL - FIGURE) / max;
  const height = bars.length * ROW + 6;
  return html`<figure class="chart">
<figcaption><strong>${options.title}</strong></figcaption>
<svg class="chart" role="img" aria-label="${options.title}" viewBox="0 0 ${WIDTH} ${height}" width="100%" preserveAspectRatio="xMinYMin meet">
${bars.map((bar, index) => {
  const y = index * ROW + 3;
  const width = Math.max(bar.value > 0 ? 2 : 0, bar.value * scale);
  const over = bar.limit !== undefined && bar.value > bar.limit;
  return html`<g><text x="0" y="${y + 14}">${bar.label.slice(0, 32)}</text><rect class="${over ? "over" : "bar"}" x="${LABEL}" y="${y}" width="${width.toFixed(1)}" height="${ROW - 8}" rx="3"><title>${bar.label}: ${options.format(bar.value)}${bar.limit !== undefined ? ` of ${options.format(bar.limit)}` : ""}</title></rect>${bar.limit !== undefined && html`<line class="limit" x1="${(LABEL + bar.limit * scale).toFixed(1)}" x2="${(LABEL + bar.limit * scale).toFixed(1)}" y1="${y - 2}" y2="${y + ROW - 6}"></line>`}<text x="${(LABEL + Math.max(width, bar.limit !== undefined ? bar.limit * scale : 0) + 6).toFixed(1)}" y="${y + 14}">${options.format(bar.value)}${bar.limit !== undefined ? ` / ${options.format(bar.limit)}` : ""}</text></g>`;
})}
</svg>
<details><summary>As a table</summary>
<table><thead><tr><th scope="col">${options.labelHeading}</th><th scope="col" class="num">Value</th>${bars.some((bar) => bar.limit !== undefined) && html`<th scope="col" class="num">Budget</th>`}</tr></thead>
<tbody>${bars.map((bar) => html`<tr><td>${bar.label}</td><td class="num">${options.format(bar.value)}</td>${bars.some((b) => b.limit !== undefined) && html`<td class="num">${bar.limit === undefined ? "—" : options.format(bar.limit)}</td>`}</tr>`)}</tbody></table>
</details>
</figure>`;
}
