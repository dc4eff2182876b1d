import type { z } from "zod";
import type { tokenView } from "../api/token-schemas.js";
import { type Html, html } from "./html.js";
import { notice, timeOf } from "./views.js";

/** Personal API tokens: the person's own, a form to issue one (its secret shown once), and revoke buttons. */

export type TokenRow = z.infer<typeof tokenView>;

export interface TokensPageInput {
  tokens: readonly TokenRow[];
  scopes: readonly { scope: string; description: string }[];
  csrf: string;
  /** The secret of a token just issued: shown on this answer only, never again. */
  issued?: { name: string; secret: string };
  error?: string;
  flash?: string;
  defaultDays: number;
  maxDays: number;
}

export function tokensPage(input: TokensPageInput): Html {
  return html`<h1>API tokens</h1>
<p>A token lets a script call <a href="/api/v1/openapi.json">/api/v1</a> as you: <code>Authorization: Bearer aia_…</code>. It reads what your GitHub account may read, as you do here, and only what its scopes allow. It is stored as a hash: copy it when it is shown.</p>
${input.error && notice(input.error, "bad")}
${input.flash && notice(input.flash)}
${input.issued && html`<div class="notice" role="status"><p><strong>${input.issued.name}</strong> — copy this token now; it is not shown again:</p><pre data-secret>${input.issued.secret}</pre></div>`}
<h2>Issue a token</h2>
<form class="filters" method="post" action="/tokens">
  <input type="hidden" name="csrf" value="${input.csrf}">
  <label>Name<input name="name" required maxlength="100" placeholder="nightly report"></label>
  <fieldset><legend class="muted">Scopes</legend>${input.scopes.map((scope) => html`<label class="check"><span><input type="checkbox" name="scopes" value="${scope.scope}"${scope.scope.endsWith(":read") ? html` checked` : ""}> <code>${scope.scope}</code> ${scope.description}</span></label>`)}</fieldset>
  <label>Expires in (days)<input type="number" name="expiresInDays" min="1" max="${input.maxDays}" value="${input.defaultDays}"></label>
  <button class="primary" type="submit">Issue token</button>
</form>
<h2>Your tokens</h2>
${input.tokens.length === 0
  ? notice("You have no API token.")
  : html`<table><thead><tr><th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"></th></tr></thead>
<tbody>${input.tokens.map(
      (token) => html`<tr><td>${token.name}</td><td>${token.scopes.map((scope) => html`<code>${scope}</code> `)}</td><td><span class="badge ${token.status === "active" ? "s-succeeded" : "s-cancelled"}">${token.status}</span></td><td>${timeOf(token.createdAt)}</td><td>${timeOf(token.expiresAt)}</td><td>${token.lastUsedAt ? timeOf(token.lastUsedAt) : html`<span class="muted">never</span>`}</td><td>${token.status === "active" && html`<form method="post" action="/tokens/${token.id}/revoke" data-confirm="Revoke ${token.name}? Scripts using it stop working at once."><input type="hidden" name="csrf" value="${input.csrf}"><button class="danger" type="submit">Revoke</button></form>`}</td></tr>`,
    )}</tbody></table>`}`;
}
