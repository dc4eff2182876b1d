import type { ApiTokenScope } from "../../store/types.js";
import { BadRequest } from "../api/http.js";
import { scopeDescriptions } from "../api/scopes.js";
import { DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS } from "../api/token-schemas.js";
import { TokensRefused, issueToken, listTokens, revokeToken } from "../api/tokens.js";
import { csrfHolds } from "./csrf.js";
import { readForm } from "./form-body.js";
import type { PageContext } from "./page-context.js";
import { type TokensPageInput, tokensPage } from "./tokens-page.js";

/** The tokens page and its two forms, over the same functions as /api/v1/tokens. */

const FLASHES: Record<string, string> = { revoked: "Revoked: scripts using that token are refused from now on." };

const scopes = Object.entries(scopeDescriptions).map(([scope, description]) => ({ scope, description }));

function tokenDeps(ctx: PageContext) {
  return { store: ctx.deps.store, grants: ctx.deps.readers.grants };
}

async function show(ctx: PageContext, status: number, extra: Partial<TokensPageInput> = {}): Promise<void> {
  const tokens = await listTokens(tokenDeps(ctx), ctx.caller);
  const flash = FLASHES[ctx.url.searchParams.get("flash") ?? ""];
  ctx.page(status, "API tokens", "tokens", tokensPage({ tokens, scopes, csrf: ctx.csrf, defaultDays: DEFAULT_TOKEN_DAYS, maxDays: MAX_TOKEN_DAYS, ...(flash ? { flash } : {}), ...extra }));
}

export function tokensListPage(ctx: PageContext): Promise<void> {
  return show(ctx, 200);
}

const FORGED = "This form did not come from this dashboard's page, or the page is older than your session. Open the tokens page again and use it there.";

export async function issueFromForm(ctx: PageContext): Promise<void> {
  const form = await readForm(ctx.req);
  if (!form || !csrfHolds(ctx.deps.formKey, ctx.req, form.get("csrf") ?? undefined)) return show(ctx, 403, { error: FORGED });
  const days = form.get("expiresInDays")?.trim();
  try {
    const issued = await issueToken(tokenDeps(ctx), ctx.caller, {
      name: form.get("name") ?? "",
      scopes: form.getAll("scopes") as ApiTokenScope[],
      ...(days ? { expiresInDays: /^\d+$/.test(days) ? Number(days) : Number.NaN } : {}),
    });
    // The secret is on this answer only: the page is not cached (no-store) and not redirected to.
    return await show(ctx, 201, { issued: { name: issued.token.name, secret: issued.secret } });
  } catch (error) {
    if (error instanceof BadRequest || error instanceof TokensRefused) return show(ctx, error instanceof TokensRefused ? error.status : 400, { error: `No token was issued: ${error.message}` });
    throw error;
  }
}

export async function revokeFromForm(ctx: PageContext, id: string): Promise<void> {
  const form = await readForm(ctx.req);
  if (!form || !csrfHolds(ctx.deps.formKey, ctx.req, form.get("csrf") ?? undefined)) return show(ctx, 403, { error: FORGED });
  try {
    await revokeToken(tokenDeps(ctx), ctx.caller, id);
  } catch (error) {
    if (error instanceof TokensRefused) return show(ctx, error.status, { error: error.message });
    throw error;
  }
  ctx.res.writeHead(303, { location: "/tokens?flash=revoked", "cache-control": "no-store" });
  ctx.res.end();
}
