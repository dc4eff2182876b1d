import { z } from "zod";
import { grantableScopes } from "./scopes.js";

/** What the token routes of /api/v1 take and give; ./openapi.ts documents them from these. */

export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 365;

const scope = z.enum(grantableScopes, { error: `a scope is one of ${grantableScopes.join(", ")}; \`tokens\` is never granted to an API token` });

export const issueTokenBody = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, "give the token a name, such as where it is used")
    .max(100)
    // A label shown on pages and in lists: no control characters to break a line or a terminal.
    .regex(/^[^\p{Cc}]+$/u, "no control characters")
    .describe("what the token is for, such as `nightly report`"),
  scopes: z
    .array(scope)
    .min(1, "name at least one scope")
    .refine((list) => new Set(list).size === list.length, "each scope once")
    .describe("what the token may do"),
  expiresInDays: z.number().int().min(1).max(MAX_TOKEN_DAYS).default(DEFAULT_TOKEN_DAYS).describe(`days until it expires, at most ${MAX_TOKEN_DAYS}`),
});
export type IssueTokenInput = z.input<typeof issueTokenBody>;

export const tokenIdParams = z.strictObject({ id: z.uuid().describe("the token's id") });

export const tokenView = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(scope),
  status: z.enum(["active", "expired", "revoked"]),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable().describe("to the minute: a token in use is not written on every call"),
});
export type TokenView = z.infer<typeof tokenView>;

export const tokenList = z.object({ tokens: z.array(tokenView).describe("yours, newest first; the secrets are never shown again") });

export const issuedToken = z.object({
  token: tokenView,
  secret: z.string().describe("the token itself, `aia_…`: shown this once, kept by the app only as a hash; send it as `Authorization: Bearer <secret>`"),
});

export const revokedToken = z.object({ token: tokenView });
