import { createHash, randomBytes } from "node:crypto";

/**
 * The form of a personal API token: `aia_` and 32 random bytes in base64url. The prefix lets secret
 * scanners and the redactor (src/core/redactor.ts) know one on sight, and lets the API tell one
 * from a GitHub token without asking GitHub, so it is never sent there. Only its SHA-256 is kept:
 * 256 random bits need no slow hash, and a lookup by hash compares no secret byte by byte.
 */

export const API_TOKEN_PREFIX = "aia_";
const FORM = /^aia_[A-Za-z0-9_-]{43}$/;

export function mintApiTokenSecret(): string {
  return `${API_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

export function hashApiTokenSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** Whether a bearer credential is one of ours in form: anything else starting `aia_` is no token at all. */
export const isApiTokenForm = (credential: string): boolean => FORM.test(credential);
