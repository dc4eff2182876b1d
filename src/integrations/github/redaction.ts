import { redact, registerSecret } from "../../core/redactor.js";
import { accessTokenSchema } from "./schema.js";

const ACCESS_TOKENS = /\/app\/installations\/\d+\/access_tokens$/;

/**
 * The fetch every GitHub call goes through, REST and GraphQL, of every Octokit built from
 * probotOptions — Probot's own installation clients, the scoped clients, the app's JWT client —
 * wrapped so that:
 *
 * - what the app sends has no secret in it: comments, PR bodies, reviews, check runs and GraphQL
 *   variables leave as JSON text, which is redacted (the redactor knows the JSON-escaped forms);
 *   headers are left alone, since the Authorization header has to carry its token;
 * - every installation token GitHub hands out is registered with the redactor before anyone gets
 *   to use it. This is the place that sees them all: @octokit/auth-app (behind `probot.auth(id)`)
 *   asks for tokens with a request of its own that passes no Octokit hook, but it shares this
 *   fetch. The app's JWTs are never registered (a new one every minute); they travel only in the
 *   Authorization header, which the log censors and Octokit's errors leave out.
 */
export function redactingFetch(inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const body = typeof init?.body === "string" ? redact(init.body) : init?.body;
    const response = await inner(input, init && body !== init.body ? { ...init, body } : init);
    if (response.ok && (init?.method ?? "GET").toUpperCase() === "POST" && ACCESS_TOKENS.test(pathOf(input))) {
      await registerToken(response.clone());
    }
    return response;
  };
}

function pathOf(input: Parameters<typeof fetch>[0]): string {
  const href = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  try {
    return new URL(href).pathname;
  } catch {
    return href;
  }
}

async function registerToken(response: Response): Promise<void> {
  try {
    const parsed = accessTokenSchema.safeParse(await response.json());
    if (parsed.success) registerSecret(parsed.data.token, parsed.data.expires_at ? { expiresAt: Date.parse(parsed.data.expires_at) } : {});
  } catch {
    // Not JSON: no token in it, and Octokit reports the body it cannot parse.
  }
}
