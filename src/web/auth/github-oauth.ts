import { z } from "zod";

/**
 * GitHub's OAuth web flow for a GitHub App's client: the authorize address, the code exchange and
 * who the token is. Every answer is checked; an error GitHub gives (a used or expired code, a wrong
 * secret) comes back as its own words for the sign-in page.
 */

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  /** github.com, or the GitHub Enterprise Server host: where people authorise. */
  web: string;
  /** The REST API's base address. */
  api: string;
  fetch?: typeof fetch;
}

export class SignInRefused extends Error {
  override name = "SignInRefused";
  /**
   * `status`: GitHub's HTTP status, when it answered with an error one. `code`: the OAuth error
   * GitHub named (`bad_verification_code`, `bad_refresh_token`…), which it sends with HTTP 200.
   */
  constructor(message: string, readonly status?: number, readonly code?: string) {
    super(message);
  }

  /** GitHub said no, as opposed to failing to answer: asking again will not change it. */
  get isRefusal(): boolean {
    return this.code !== undefined || (this.status !== undefined && this.status < 500);
  }
}

/**
 * What a person's authorisation gives us: their token and, for a GitHub App's expiring user tokens,
 * the refresh token and both expiry times (epoch ms). A token without `expiresAt` does not expire.
 */
export const grantSchema = z.object({
  token: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  expiresAt: z.number().optional(),
  refreshTokenExpiresAt: z.number().optional(),
});
export type GitHubGrant = z.infer<typeof grantSchema>;

// `expires_in` and the refresh token come only when the App's user tokens expire (its default).
const tokenAnswer = z.union([
  z.object({
    access_token: z.string().min(1),
    token_type: z.string(),
    expires_in: z.number().int().positive().optional(),
    refresh_token: z.string().min(1).optional(),
    refresh_token_expires_in: z.number().int().positive().optional(),
  }),
  z.object({ error: z.string(), error_description: z.string().optional() }),
]);
const userAnswer = z.object({ login: z.string(), id: z.number() });

export function authorizeUrl(client: OAuthClient, redirectUri: string, state: string): string {
  const url = new URL("/login/oauth/authorize", client.web);
  url.searchParams.set("client_id", client.clientId);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("state", state);
  url.searchParams.set("allow_signup", "false");
  return url.toString();
}

export function exchangeCode(client: OAuthClient, code: string, redirectUri: string, now: () => number = Date.now): Promise<GitHubGrant> {
  return tokenRequest(client, { code, redirect_uri: redirectUri }, "the sign-in", now);
}

/**
 * A new grant for an expiring user token, as GitHub renews them: the refresh token is used up, and
 * the old token stops working, once GitHub answers.
 */
export function refreshGrant(client: OAuthClient, refreshToken: string, now: () => number = Date.now): Promise<GitHubGrant> {
  return tokenRequest(client, { grant_type: "refresh_token", refresh_token: refreshToken }, "the renewal of a token", now);
}

async function tokenRequest(client: OAuthClient, fields: Record<string, string>, what: string, now: () => number): Promise<GitHubGrant> {
  const send = client.fetch ?? fetch;
  const response = await send(new URL("/login/oauth/access_token", client.web), {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json" },
    body: JSON.stringify({ client_id: client.clientId, client_secret: client.clientSecret, ...fields }),
  });
  if (!response.ok) throw new SignInRefused(`GitHub answered ${what} with HTTP ${response.status}.`, response.status);
  const answer = tokenAnswer.safeParse(await response.json().catch(() => undefined));
  if (!answer.success) throw new SignInRefused(`GitHub's answer to ${what} was not one it documents.`);
  if ("error" in answer.data) throw new SignInRefused(answer.data.error_description ?? answer.data.error, undefined, answer.data.error);
  const at = now();
  const { access_token, refresh_token, expires_in, refresh_token_expires_in } = answer.data;
  return {
    token: access_token,
    ...(refresh_token ? { refreshToken: refresh_token } : {}),
    ...(expires_in ? { expiresAt: at + expires_in * 1000 } : {}),
    ...(refresh_token && refresh_token_expires_in ? { refreshTokenExpiresAt: at + refresh_token_expires_in * 1000 } : {}),
  };
}

/** GET on the REST API with a person's token; the parsed body, or a refusal naming the status. */
export async function asPerson<T>(client: Pick<OAuthClient, "api" | "fetch">, token: string, path: string, schema: z.ZodType<T>): Promise<T> {
  const send = client.fetch ?? fetch;
  const response = await send(`${client.api.replace(/\/$/, "")}${path}`, {
    headers: { authorization: `Bearer ${token}`, accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28", "user-agent": "ai-agent" },
  });
  if (!response.ok) throw new SignInRefused(`GitHub answered ${path.split("?")[0]} with HTTP ${response.status}.`, response.status);
  const parsed = schema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw new SignInRefused(`GitHub's answer to ${path.split("?")[0]} was not one it documents.`);
  return parsed.data;
}

export function currentUser(client: Pick<OAuthClient, "api" | "fetch">, token: string): Promise<z.infer<typeof userAnswer>> {
  return asPerson(client, token, "/user", userAnswer);
}
