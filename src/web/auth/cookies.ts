import type { IncomingMessage } from "node:http";

/** Cookies in and out, as RFC 6265 has them: only the app's own names are read. */

export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at === -1) continue;
    if (part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

export interface CookieOptions {
  maxAgeSeconds: number;
  /** Set under https: the browser then sends it over https only. */
  secure: boolean;
}

/** A cookie the page's scripts cannot read, sent on top-level navigations from elsewhere (Lax) and not on cross-site requests. */
export function cookie(name: string, value: string, options: CookieOptions): string {
  return [`${name}=${value}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${options.maxAgeSeconds}`, ...(options.secure ? ["Secure"] : [])].join("; ");
}

export function clearedCookie(name: string, secure: boolean): string {
  return cookie(name, "", { maxAgeSeconds: 0, secure });
}
