import type { ApiToken, Store } from "../../store/types.js";
import { type GitHubGrant, SignInRefused } from "../auth/github-oauth.js";
import { GrantEnded } from "../auth/grants.js";
import { type ApiReaders, type Caller, NotCaller, UNREADABLE } from "./identity.js";
import { type RouteScope, scopeRefusal } from "./scopes.js";
import { hashApiTokenSecret, isApiTokenForm } from "./token-secret.js";

/**
 * A caller by personal API token: found by the secret's hash; refused when unknown, revoked,
 * expired or short of the route's scope, before GitHub is asked anything. Then the person's own
 * GitHub grant, sealed beside the token, says what they may read, as for a session. GitHub's user
 * tokens of an App expire after 8 hours: the grant is renewed with its refresh token when it has
 * expired or GitHub stops taking it, and sealed back.
 */

export type ApiTokenStore = Pick<Store, "findApiTokenByHash" | "touchApiToken" | "updateApiTokenGrant">;

const UNKNOWN = "this API token is not one this app issued; issue one on the dashboard's tokens page";
const ENDED = "the GitHub authorisation behind this token has ended; sign in again and issue a new token";
const NEW_ONE = "issue a new one on the dashboard's tokens page";

export function apiTokenCaller(store: ApiTokenStore, readers: ApiReaders, now: () => number) {
  // One renewal per token at a time in this process: GitHub's refresh token works once.
  const renewals = new Map<string, Promise<GitHubGrant>>();

  const renew = (row: ApiToken, grant: GitHubGrant): Promise<GitHubGrant> => {
    const running = renewals.get(row.id);
    if (running) return running;
    const renewal = renewOnce(row, grant).finally(() => renewals.delete(row.id));
    renewals.set(row.id, renewal);
    return renewal;
  };

  const renewOnce = async (row: ApiToken, grant: GitHubGrant): Promise<GitHubGrant> => {
    let fresh: GitHubGrant;
    try {
      fresh = await readers.grants.renew(grant);
    } catch (error) {
      if (!(error instanceof GrantEnded)) throw new NotCaller(502, "GitHub did not renew the authorisation behind this token; try again shortly");
      // Another process may have renewed it first, using up the refresh token read here.
      const current = await store.findApiTokenByHash(row.secretHash);
      const theirs = current && !current.revokedAt && current.sealedGrant !== row.sealedGrant ? readers.grants.open(current.sealedGrant, row.secretHash) : undefined;
      if (theirs && theirs.token !== grant.token) return theirs;
      throw new NotCaller(401, ENDED);
    }
    await store.updateApiTokenGrant(row.id, readers.grants.seal(fresh, row.secretHash, row.expiresAt));
    return fresh;
  };

  const readableWith = (token: string) =>
    readers.access.readable(token).catch((error: unknown) => {
      throw error instanceof SignInRefused && error.status === 401 ? new NotCaller(401, ENDED) : new NotCaller(502, UNREADABLE);
    });

  return async function apiTokenCallerOf(secret: string, scope: RouteScope): Promise<Caller> {
    const row = isApiTokenForm(secret) ? await store.findApiTokenByHash(hashApiTokenSecret(secret)) : null;
    if (!row) throw new NotCaller(401, UNKNOWN);
    if (row.revokedAt) throw new NotCaller(401, `this API token was revoked on ${row.revokedAt.toISOString()}; ${NEW_ONE}`);
    if (row.expiresAt.getTime() <= now()) throw new NotCaller(401, `this API token expired on ${row.expiresAt.toISOString()}; ${NEW_ONE}`);
    const refusal = scopeRefusal(row.scopes, scope);
    if (refusal) throw new NotCaller(403, refusal);

    let grant = readers.grants.open(row.sealedGrant, row.secretHash);
    if (!grant) throw new NotCaller(401, ENDED);
    const renewedFirst = readers.grants.expired(grant);
    if (renewedFirst) grant = await renew(row, grant);
    let readable: ReadonlySet<string>;
    try {
      readable = await readableWith(grant.token);
    } catch (error) {
      // A token GitHub stops taking before its time (or one with no time given) gets one renewal.
      if (renewedFirst || !(error instanceof NotCaller) || error.status !== 401) throw error;
      grant = await renew(row, grant);
      readable = await readableWith(grant.token);
    }
    await store.touchApiToken(row.id, new Date(now()));
    return { login: row.login, githubUserId: row.githubUserId, token: grant.token, readable, credential: { kind: "api token", tokenId: row.id, scopes: row.scopes } };
  };
}
