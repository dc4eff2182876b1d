import { formatDuration, formatUsd } from "../../core/format.js";
import { type Html, html } from "./html.js";

/** Small pieces every page shows the same way: a status, a time, a duration, an amount. */

export function statusBadge(status: string): Html {
  return html`<span class="badge s-${status.replace(/[^a-z_]/g, "")}">${status.replace(/_/g, " ")}</span>`;
}

/** A time as UTC text, turned into the reader's local time by the script where it runs. */
export function timeOf(iso: string | undefined | null): Html {
  if (!iso) return html`<span class="muted">—</span>`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return html`<span class="muted">—</span>`;
  return html`<time datetime="${date.toISOString()}">${date.toISOString().replace("T", " ").slice(0, 19)} UTC</time>`;
}

export function durationBetween(from: string | undefined | null, to: string | undefined | null, now = Date.now()): string {
  if (!from) return "—";
  const start = Date.parse(from);
  const end = to ? Date.parse(to) : now;
  if (!Number.isFinite(start) || !Number.isFinite(end)) return "—";
  return formatDuration(end - start, { elapsed: true });
}

export const usd = (micros: number) => formatUsd(micros);

export const count = (n: number) => n.toLocaleString("en-US");

export function notice(text: string, kind: "info" | "bad" = "info"): Html {
  return html`<div class="notice${kind === "bad" ? " bad" : ""}" role="${kind === "bad" ? "alert" : "status"}">${text}</div>`;
}
