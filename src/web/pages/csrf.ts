import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { readCookie } from "../auth/cookies.js";
import { SESSION_COOKIE } from "../auth/sign-in.js";

/**
 * The token every dashboard form carries: a keyed hash of this browser's session cookie, so a page
 * on another site cannot post a form for someone signed in here (the SameSite cookie is the first
 * guard; this is the second, for browsers that send it anyway).
 */
export function csrfToken(key: Buffer, req: IncomingMessage): string {
  return createHmac("sha256", key).update(`dashboard-form:v1\n${readCookie(req, SESSION_COOKIE) ?? ""}`).digest("base64url");
}

export function csrfHolds(key: Buffer, req: IncomingMessage, given: string | undefined): boolean {
  if (!given || !readCookie(req, SESSION_COOKIE)) return false;
  const expected = Buffer.from(csrfToken(key, req));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
