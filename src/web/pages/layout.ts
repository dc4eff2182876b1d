import type { ServerResponse } from "node:http";
import { scriptUrl, styleUrl } from "./assets.js";
import { type Html, html } from "./html.js";

/** The frame of every dashboard page: the header with its navigation and sign-out, and the security headers. */

export type Section = "runs" | "usage" | "queue" | "tokens";

const NAV: readonly { section: Section; href: string; label: string }[] = [
  { section: "runs", href: "/runs", label: "Runs" },
  { section: "usage", href: "/usage", label: "Usage" },
  { section: "queue", href: "/queue", label: "Queue & health" },
  { section: "tokens", href: "/tokens", label: "API tokens" },
];

export interface PageFrame {
  title: string;
  section?: Section;
  /** The signed-in person; absent on pages shown before sign-in. */
  login?: string;
  /** The form token sign-out (and every form) carries. */
  csrf?: string;
}

/**
 * Pages carry no inline script or style, so the policy allows only our own files: text a repository
 * or the model wrote can never run here, even if it slipped past the escaping.
 */
export const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy": "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

export function layout(frame: PageFrame, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title} · ai-agent</title>
<link rel="stylesheet" href="${styleUrl}">
<script src="${scriptUrl}" defer></script>
</head>
<body>
<a class="sr-only" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/runs">ai-agent</a>
  ${frame.login
    ? html`<nav aria-label="Dashboard">${NAV.map((item) => html`<a href="${item.href}"${item.section === frame.section ? html` aria-current="page"` : ""}>${item.label}</a>`)}</nav>
  <span>${frame.login}</span>
  <form method="post" action="/logout"><input type="hidden" name="csrf" value="${frame.csrf ?? ""}"><button type="submit">Sign out</button></form>`
    : html`<nav aria-label="Dashboard"></nav>`}
</header>
<main id="main">
${body}
</main>
</body>
</html>`;
}

export function sendPage(res: ServerResponse, status: number, frame: PageFrame, body: Html): true {
  res.writeHead(status, PAGE_HEADERS);
  res.end(layout(frame, body).text);
  return true;
}
