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

export function createCallerOf(store: ApiTokenStore, readers: ApiReaders, now: () => number) {
  const byApiToken = apiTokenCaller(store, readers, now);
  const withReadable = async (who: Omit<Caller, "readable">): Promise<Caller> => {
    const readable = await readers.access.readable(who.token).catch(() => {
      throw new NotCaller(502, UNREADABLE);
    });
    return { ...who, readable };
  };

  /** The caller, once they may use a route needing `scope`. */
  return async function callerOf(req: IncomingMessage, scope: RouteScope): Promise<Caller> {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const token = BEARER.exec(header)?.[1];
      if (!token) throw new NotCaller(401, "the Authorization header must be `Bearer <API token or GitHub token>`");
      // Ours by their prefix: never sent to GitHub, whatever becomes of them.
      if (token.startsWith(API_TOKEN_PREFIX)) return byApiToken(token, scope);
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
  };
}
