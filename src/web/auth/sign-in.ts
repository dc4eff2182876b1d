import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { clearedCookie, cookie, readCookie } from "./cookies.js";
import { type OAuthClient, SignInRefused, authorizeUrl, currentUser, exchangeCode, grantSchema } from "./github-oauth.js";
import { sealer } from "./sealed.js";

/**
 * Signing in with GitHub: `/login` sends the person to GitHub with a state only this browser
 * holds, `/auth/github/callback` checks it, trades the code for their token and asks GitHub who
 * they are, then keeps a session cookie — sealed, httpOnly, SameSite=Lax, Secure under https —
 * that holds their login and token (with its refresh token and expiry, when GitHub gives them).
 * `/logout` ends it. Nothing here decides what they may see:
 * ./access.ts asks GitHub with their token.
 */

export const SESSION_COOKIE = "ai_agent_session";
const STATE_COOKIE = "ai_agent_oauth";
const SESSION_SECONDS = 8 * 3600;
const STATE_SECONDS = 600;

/** The person and their grant: the refresh token too, so an API token issued from a session can renew what it holds. */
const sessionSchema = grantSchema.extend({ login: z.string(), id: z.number() });
export type Session = z.infer<typeof sessionSchema>;
const stateSchema = z.object({ state: z.string(), next: z.string() });

export interface SignInOptions {
  client: OAuthClient;
  /** The app's public address, without a trailing slash: where GitHub sends people back. */
  publicUrl: string;
  /** The key material sessions are sealed with (the run links' key will do: never sent anywhere). */
  secret: Buffer;
  now?: () => number;
}

export interface SignIn {
  /** The routes: /login, /auth/github/callback, /logout. True when the request was one of them. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** The signed-in person of a request, if any. */
  session(req: IncomingMessage): Session | undefined;
  /** Where to send someone to sign in, coming back to `next`. */
  loginUrl(next: string): string;
}

/** Only a path of this app is somewhere to come back to: never another site (`//evil`, `https:`). */
function localPath(next: string | null | undefined): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.includes("\\") ? next : "/";
}

export function createSignIn(options: SignInOptions): SignIn {
  const secure = options.publicUrl.startsWith("https:");
  const sessions = sealer(options.secret, "session", sessionSchema, options.now);
  const states = sealer(options.secret, "oauth state", stateSchema, options.now);
  const redirectUri = `${options.publicUrl}/auth/github/callback`;
  const page = (res: ServerResponse, status: number, text: string, headers: Record<string, string | string[]> = {}) => {
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers });
    res.end(text);
  };
  const redirect = (res: ServerResponse, location: string, cookies: string[]) => {
    res.writeHead(302, { location, "cache-control": "no-store", "set-cookie": cookies });
    res.end();
  };

  return {
    session: (req) => sessions.open(readCookie(req, SESSION_COOKIE)),
    loginUrl: (next) => `/login?next=${encodeURIComponent(localPath(next))}`,
    async handle(req, res) {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname === "/login" && req.method === "GET") {
        const state = randomBytes(24).toString("base64url");
        const sealed = states.seal({ state, next: localPath(url.searchParams.get("next")) }, STATE_SECONDS);
        redirect(res, authorizeUrl(options.client, redirectUri, state), [cookie(STATE_COOKIE, sealed, { maxAgeSeconds: STATE_SECONDS, secure })]);
        return true;
      }
      if (url.pathname === "/auth/github/callback" && req.method === "GET") {
        const expected = states.open(readCookie(req, STATE_COOKIE));
        const given = url.searchParams.get("state") ?? "";
        const code = url.searchParams.get("code");
        const clearState = clearedCookie(STATE_COOKIE, secure);
        if (!expected || !code || given.length !== expected.state.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected.state))) {
          page(res, 400, "Sign-in did not complete: this browser did not start it, or it took longer than 10 minutes. Start again at /login.", { "set-cookie": clearState });
          return true;
        }
        try {
          const grant = await exchangeCode(options.client, code, redirectUri, options.now);
          const user = await currentUser(options.client, grant.token);
          redirect(res, expected.next, [clearState, cookie(SESSION_COOKIE, sessions.seal({ login: user.login, id: user.id, ...grant }, SESSION_SECONDS), { maxAgeSeconds: SESSION_SECONDS, secure })]);
        } catch (error) {
          if (!(error instanceof SignInRefused)) throw error;
          page(res, 502, `Sign-in with GitHub failed: ${error.message} Start again at /login.`, { "set-cookie": clearState });
        }
        return true;
      }
      // POST only: a link or an image elsewhere cannot sign anyone out.
      if (url.pathname === "/logout" && req.method === "POST") {
        redirect(res, "/", [clearedCookie(SESSION_COOKIE, secure)]);
        return true;
      }
      return false;
    },
  };
}
