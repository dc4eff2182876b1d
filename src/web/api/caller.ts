import type { IncomingMessage } from "node:http";
import type { RepositoryAccess } from "../auth/access.js";
import { SignInRefused } from "../auth/github-oauth.js";
import type { People } from "../auth/people.js";
import type { SignIn } from "../auth/sign-in.js";

/**
 * Who is calling the API and which repositories they may read: a GitHub user token in
 * `Authorization: Bearer` (whose it is, GitHub says), or the session cookie of signing in. The
 * repositories are GitHub's answer for that token, through this App's installations.
 */

export interface ApiReaders {
  signIn: Pick<SignIn, "session" | "loginUrl">;
  access: RepositoryAccess;
  people: People;
  /** DASHBOARD_ADMINS, lower-cased: they see and retry every queued job. */
  admins?: ReadonlySet<string>;
}

export interface Caller {
  login: string;
  /** The person's GitHub token: asked on their behalf, never logged or served. */
  token: string;
  /** `owner/name`, lower-cased. */
  readable: ReadonlySet<string>;
}

/** Why a request has no caller: the answer's status and words. */
export class NotCaller extends Error {
  override name = "NotCaller";
  constructor(readonly status: 401 | 502, message: string) {
    super(message);
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export async function callerOf(req: IncomingMessage, readers: ApiReaders): Promise<Caller> {
  const header = req.headers.authorization;
  let who: { login: string; token: string } | undefined;
  if (header !== undefined) {
    const token = BEARER.exec(header)?.[1];
    if (!token) throw new NotCaller(401, "the Authorization header must be `Bearer <GitHub token>`");
    const person = await readers.people.whoIs(token).catch((error: unknown) => {
      if (error instanceof SignInRefused && error.status === 401) throw new NotCaller(401, "GitHub did not accept this token");
      throw new NotCaller(502, "GitHub did not say whose this token is; try again shortly");
    });
    who = { login: person.login, token };
  } else {
    const session = readers.signIn.session(req);
    if (session) who = { login: session.login, token: session.token };
  }
  if (!who) throw new NotCaller(401, "sign in with GitHub, or send a GitHub token as `Authorization: Bearer <token>`");
  const readable = await readers.access.readable(who.token).catch(() => {
    throw new NotCaller(502, "GitHub did not say which repositories you can read; try again shortly");
  });
  return { ...who, readable };
}
