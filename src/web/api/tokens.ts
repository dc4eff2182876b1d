import { randomUUID } from "node:crypto";
import type { ApiToken, Store } from "../../store/types.js";
import type { GrantKeeper } from "../auth/grants.js";
import type { ApiAnswer, ApiContext } from "./context.js";
import { parseInput } from "./http.js";
import type { Caller } from "./identity.js";
import { type IssueTokenInput, type TokenView, issueTokenBody, tokenIdParams } from "./token-schemas.js";
import { hashApiTokenSecret, mintApiTokenSecret } from "./token-secret.js";

/**
 * Issuing, listing and revoking personal API tokens, for the API's routes and the dashboard's
 * tokens page alike. Only a person who signed in or brought their GitHub token manages tokens (an
 * API token never does), and only their own: tokens belong to the GitHub user id. The secret is
 * returned once and kept as its hash; the caller's GitHub grant is sealed beside it, so each call
 * with the token reads what the person may read, asked of GitHub with their own token.
 */

export type TokenStore = Pick<Store, "createApiToken" | "listApiTokens" | "revokeApiToken">;

export interface TokenDeps {
  store: TokenStore;
  grants: Pick<GrantKeeper, "seal">;
  now?: () => number;
}

/** Active tokens a person may hold at once: enough for every script they run, not a table to fill. */
export const MAX_ACTIVE_TOKENS = 50;

/** Why a token could not be issued or revoked; the API answers with `status`. */
export class TokensRefused extends Error {
  override name = "TokensRefused";
  constructor(readonly status: 403 | 404 | 409, message: string) {
    super(message);
  }
}

export function tokenView(token: ApiToken, now: number): TokenView {
  return {
    id: token.id,
    name: token.name,
    scopes: token.scopes,
    status: token.revokedAt ? "revoked" : token.expiresAt.getTime() <= now ? "expired" : "active",
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt.toISOString(),
    revokedAt: token.revokedAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
  };
}

function asPerson(caller: Caller) {
  if (caller.credential.kind === "api token") throw new TokensRefused(403, "API tokens cannot manage API tokens; sign in on the dashboard, or use a GitHub token");
  return caller.credential.grant;
}

/** Throws BadRequest for input the schema refuses, TokensRefused for a caller who may not. */
export async function issueToken(deps: TokenDeps, caller: Caller, input: IssueTokenInput): Promise<{ token: TokenView; secret: string }> {
  const grant = asPerson(caller);
  const asked = parseInput(issueTokenBody, input);
  const now = (deps.now ?? Date.now)();
  const active = (await deps.store.listApiTokens(caller.githubUserId)).filter((token) => tokenView(token, now).status === "active");
  if (active.length >= MAX_ACTIVE_TOKENS) throw new TokensRefused(409, `you have ${active.length} active API tokens, the most one person may hold; revoke one first`);
  const secret = mintApiTokenSecret();
  const secretHash = hashApiTokenSecret(secret);
  const expiresAt = new Date(now + asked.expiresInDays * 24 * 3600_000);
  const token = await deps.store.createApiToken({
    id: randomUUID(),
    login: caller.login,
    githubUserId: caller.githubUserId,
    name: asked.name,
    secretHash,
    scopes: asked.scopes,
    sealedGrant: deps.grants.seal(grant, secretHash, expiresAt),
    createdAt: new Date(now),
    expiresAt,
  });
  return { token: tokenView(token, now), secret };
}

export async function listTokens(deps: TokenDeps, caller: Caller): Promise<TokenView[]> {
  asPerson(caller);
  const now = (deps.now ?? Date.now)();
  return (await deps.store.listApiTokens(caller.githubUserId)).map((token) => tokenView(token, now));
}

/** Revokes one of the caller's own tokens; someone else's is as absent as none. */
export async function revokeToken(deps: TokenDeps, caller: Caller, id: string): Promise<TokenView> {
  asPerson(caller);
  const now = (deps.now ?? Date.now)();
  const token = await deps.store.revokeApiToken(id, caller.githubUserId, new Date(now));
  if (!token) throw new TokensRefused(404, "no API token of yours has this id");
  return tokenView(token, now);
}

const depsOf = (ctx: ApiContext): TokenDeps => ({ store: ctx.store, grants: ctx.readers.grants, now: ctx.now });

const answering = async (work: () => Promise<ApiAnswer>): Promise<ApiAnswer> => {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TokensRefused) return { status: error.status, body: { error: error.message } };
    throw error;
  }
};

export const listTokensRoute = (ctx: ApiContext) => answering(async () => ({ status: 200, body: { tokens: await listTokens(depsOf(ctx), ctx.caller) } }));

// The body is whatever JSON came: issueToken parses it through the schema before reading a field.
export const issueTokenRoute = (ctx: ApiContext) => answering(async () => ({ status: 201, body: await issueToken(depsOf(ctx), ctx.caller, ctx.body as IssueTokenInput) }));

export const revokeTokenRoute = (ctx: ApiContext) =>
  answering(async () => {
    const { id } = parseInput(tokenIdParams, ctx.params);
    return { status: 200, body: { token: await revokeToken(depsOf(ctx), ctx.caller, id) } };
  });
