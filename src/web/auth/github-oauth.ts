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
  /** GitHub's HTTP status, when it answered with an error one. */
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

const tokenAnswer = z.union([
  z.object({ access_token: z.string().min(1), token_type: z.string() }),
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

export async function exchangeCode(client: OAuthClient, code: string, redirectUri: string): Promise<string> {
  const send = client.fetch ?? fetch;
  const response = await send(new URL("/login/oauth/access_token", client.web), {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json" },
    body: JSON.stringify({ client_id: client.clientId, client_secret: client.clientSecret, code, redirect_uri: redirectUri }),
  });
  if (!response.ok) throw new SignInRefused(`GitHub answered the sign-in with HTTP ${response.status}.`);
  const answer = tokenAnswer.safeParse(await response.json().catch(() => undefined));
  if (!answer.success) throw new SignInRefused("GitHub's answer to the sign-in was not one it documents.");
  if ("error" in answer.data) throw new SignInRefused(answer.data.error_description ?? answer.data.error);
  return answer.data.access_token;
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
