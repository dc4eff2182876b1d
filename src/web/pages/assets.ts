import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The dashboard's one stylesheet and one small script, served from /assets/ under a name that
 * carries their hash, so a browser keeps them until they change. The pages work without the script;
 * it adds live updates (server-sent events), local times and a confirmation before stopping a run.
 */

const STYLE = `
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#fff; --soft:#f6f8fa; --accent:#0969da;
  --ok:#1a7f37; --bad:#d1242f; --warn:#9a6700; --run:#8250df; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
* { box-sizing: border-box; }
body { margin:0; color:var(--fg); background:var(--bg); font-size:14px; line-height:1.5; }
a { color:var(--accent); }
header.top { display:flex; align-items:center; gap:1.5rem; padding:.6rem 1.5rem; background:#24292f; color:#fff; }
header.top a { color:#fff; text-decoration:none; }
header.top nav { display:flex; gap:1rem; flex:1; }
header.top nav a[aria-current="page"] { text-decoration:underline; text-underline-offset:.35rem; }
header.top .brand { font-weight:600; }
header.top form { margin:0; }
header.top button { background:none; border:1px solid #6e7781; color:#fff; border-radius:6px; padding:.2rem .6rem; cursor:pointer; }
main { max-width:1200px; margin:0 auto; padding:1.25rem 1.5rem 3rem; }
h1 { font-size:1.5rem; margin:.2rem 0 1rem; } h2 { font-size:1.1rem; margin:1.75rem 0 .6rem; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:.45rem .6rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:var(--soft); font-weight:600; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
.muted { color:var(--muted); }
.badge { display:inline-block; padding:0 .5rem; border-radius:1rem; font-size:.8rem; font-weight:600; border:1px solid currentColor; }
.s-succeeded { color:var(--ok); } .s-failed { color:var(--bad); } .s-running { color:var(--run); }
.s-queued, .s-pending { color:var(--warn); } .s-stopped, .s-cancelled, .s-skipped, .s-rolled_back { color:var(--muted); }
form.filters { display:flex; flex-wrap:wrap; gap:.75rem; align-items:flex-end; margin-bottom:1rem; padding:.75rem; background:var(--soft); border:1px solid var(--line); border-radius:6px; }
form.filters label { display:flex; flex-direction:column; font-size:.8rem; color:var(--muted); gap:.15rem; }
input, select, button { font:inherit; }
fieldset { border:0; padding:0; margin:0; display:flex; flex-direction:column; gap:.2rem; }
label.check { flex-direction:row; color:var(--fg); font-size:.85rem; }
pre[data-secret] { font-size:14px; user-select:all; }
input, select { padding:.3rem .4rem; border:1px solid var(--line); border-radius:6px; background:#fff; }
button.primary { background:var(--accent); color:#fff; border:0; border-radius:6px; padding:.35rem .9rem; cursor:pointer; }
button.danger { background:var(--bad); color:#fff; border:0; border-radius:6px; padding:.35rem .9rem; cursor:pointer; }
.pager { display:flex; gap:1rem; margin-top:1rem; }
.facts { display:grid; grid-template-columns:repeat(auto-fill, minmax(180px, 1fr)); gap:.5rem 1rem; margin:0 0 1rem; }
.facts div { background:var(--soft); border:1px solid var(--line); border-radius:6px; padding:.5rem .75rem; }
.facts dt { font-size:.75rem; color:var(--muted); } .facts dd { margin:0; font-weight:600; }
.links { display:flex; flex-wrap:wrap; gap:.5rem 1.25rem; margin:.25rem 0 1rem; }
.notice { padding:.75rem 1rem; border:1px solid var(--line); border-left:4px solid var(--accent); background:var(--soft); border-radius:6px; margin:1rem 0; }
.notice.bad { border-left-color:var(--bad); }
pre { background:var(--soft); border:1px solid var(--line); border-radius:6px; padding:.6rem; overflow:auto; max-height:24rem; white-space:pre-wrap; word-break:break-word; font-size:12px; }
details > summary { cursor:pointer; }
svg.chart, svg.timeline { max-width:820px; display:block; }
svg.chart text { font-size:11px; fill:var(--muted); }
svg.chart .bar { fill:var(--accent); } svg.chart .over { fill:var(--bad); } svg.chart .limit { stroke:var(--bad); stroke-dasharray:4 3; }
svg.timeline .bar { fill:var(--accent); } svg.timeline .bar.s-failed { fill:var(--bad); } svg.timeline .bar.s-running { fill:var(--run); }
.sr-only { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); }
.live-dot { display:inline-block; width:.6rem; height:.6rem; border-radius:50%; background:var(--run); margin-right:.3rem; }
`;

const SCRIPT = `
(() => {
  const localTimes = (root) => {
    for (const t of root.querySelectorAll("time[datetime]")) {
      const d = new Date(t.getAttribute("datetime"));
      if (!isNaN(d)) { t.title = t.textContent; t.textContent = d.toLocaleString(); }
    }
  };
  localTimes(document);
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (e) => { if (!confirm(form.dataset.confirm)) e.preventDefault(); });
  }
  const live = document.querySelector("[data-live]");
  if (live && window.EventSource) {
    const source = new EventSource(live.dataset.live);
    const state = document.querySelector("[data-live-state]");
    source.addEventListener("update", (e) => { live.innerHTML = e.data; localTimes(live); });
    source.addEventListener("end", () => { source.close(); if (state) state.textContent = "finished"; });
    source.onerror = () => { if (state) state.textContent = "reconnecting…"; };
    source.onopen = () => { if (state) state.textContent = "live"; };
  }
})();
`;

function asset(body: string, type: string) {
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 12);
  return { body, type, hash };
}

const ASSETS = { "dashboard.css": asset(STYLE, "text/css"), "dashboard.js": asset(SCRIPT, "text/javascript") };

export const styleUrl = `/assets/dashboard.${ASSETS["dashboard.css"].hash}.css`;
export const scriptUrl = `/assets/dashboard.${ASSETS["dashboard.js"].hash}.js`;

const ASSET_PATH = /^\/assets\/dashboard\.([0-9a-f]{12})\.(css|js)$/;

/** Serves /assets/dashboard.<hash>.css|js; true when the request was for one. */
export function serveAsset(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
  const match = ASSET_PATH.exec(pathname);
  if (!match || req.method !== "GET") return false;
  const found = ASSETS[`dashboard.${match[2]}` as keyof typeof ASSETS];
  if (found.hash !== match[1]) {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
    res.end("no such asset; reload the page");
    return true;
  }
  res.writeHead(200, { "content-type": `${found.type}; charset=utf-8`, "cache-control": "public, max-age=31536000, immutable", "x-content-type-options": "nosniff" });
  res.end(found.body);
  return true;
}
