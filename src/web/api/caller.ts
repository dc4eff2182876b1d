import type { IncomingMessage } from "node:http";
import { SignInRefused } from "../auth/github-oauth.js";
import { type ApiReaders, type Caller, NotCaller, UNREADABLE } from "./identity.js";
import type { RouteScope } from "./scopes.js";
import { type ApiTokenStore, apiTokenCaller } from "./token-caller.js";
import { API_TOKEN_PREFIX } from "./token-secret.js";

export { type ApiReaders, type Caller, type Credential, NotCaller } from "./identity.js";

/**
 * Who is calling the API and which repositories they may read: one of our API tokens or a GitHub
 * user token in `Authorization: Bearer`, or the session cookie of signing in. The repositories are
 * GitHub's answer for the person's own token, through this App's installations, whichever way
 * they came: an API token reads with the GitHub grant sealed beside it.
 */

const BEARER = /^Bearer\s+(\S+)\s*$/i;

function readableBy(readers: ApiReaders, token: string): Promise<ReadonlySet<string>> {
  return readers.access.readable(token).catch(() => {
    throw new NotCaller(502, UNREADABLE);
  });
}

/**
 * The caller by session or GitHub token only, for the dashboard's pages: an API token is for
 * /api/v1 and is refused here without being sent anywhere.
 */
export async function personCallerOf(req: IncomingMessage, readers: ApiReaders): Promise<Caller> {
  const withReadable = async (who: Omit<Caller, "readable">): Promise<Caller> => ({ ...who, readable: await readableBy(readers, who.token) });
  const header = req.headers.authorization;
  if (header !== undefined) {
    const token = BEARER.exec(header)?.[1];
    if (!token) throw new NotCaller(401, "the Authorization header must be `Bearer <API token or GitHub token>`");
    // Ours by their prefix: never sent to GitHub, whatever becomes of them.
    if (token.startsWith(API_TOKEN_PREFIX)) throw new NotCaller(401, "API tokens are for /api/v1; sign in with GitHub for the dashboard");
    const person = await readers.people.whoIs(token).catch((error: unknown) => {
      if (error instanceof SignInRefused && error.status === 401) throw new NotCaller(401, "GitHub did not accept this token");
      throw new NotCaller(502, "GitHub did not say whose this token is; try again shortly");
    });
    return withReadable({ login: person.login, githubUserId: person.id, token, credential: { kind: "github token", grant: { token } } });
  }
  const session = readers.signIn.session(req);
  if (!session) throw new NotCaller(401, "sign in with GitHub, or send an API token or a GitHub token as `Authorization: Bearer <token>`");
  const { login, id, ...grant } = session;
  return withReadable({ login, githubUserId: id, token: grant.token, credential: { kind: "session", grant } });
}

export function createCallerOf(store: ApiTokenStore, readers: ApiReaders, now: () => number) {
  const byApiToken = apiTokenCaller(store, readers, now);
  /** The caller, once they may use a route needing `scope`. */
  return async function callerOf(req: IncomingMessage, scope: RouteScope): Promise<Caller> {
    const token = BEARER.exec(req.headers.authorization ?? "")?.[1];
    return token?.startsWith(API_TOKEN_PREFIX) ? byApiToken(token, scope) : personCallerOf(req, readers);
  };
}
