import { z } from "zod";
import type { AppConfig } from "../config/env.js";
import { githubUrls } from "../integrations/github/urls.js";
import { registerSecret } from "../core/redactor.js";
import { updateEnvFile } from "./env-file.js";

/**
 * The two ways the setup page learns the App's credentials: GitHub's manifest conversion (after
 * "Register GitHub App"), or the import form (an App registered by hand). Either way they are
 * checked, registered with the redactor before anything can log them, and written to `.env`.
 */

const PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----/;

export interface AppCredentials {
  appId: string;
  privateKey: string;
  webhookSecret: string;
  clientId?: string;
  clientSecret?: string;
}

/** GitHub's answer to POST /app-manifests/{code}/conversions, the fields used. */
const conversionSchema = z.object({
  id: z.number().int().positive(),
  slug: z.string().optional(),
  html_url: z.url(),
  pem: z.string().regex(PEM, "expected the App's private key"),
  webhook_secret: z.string().min(1, "expected a webhook secret (the manifest sets a webhook URL, so GitHub makes one)"),
  client_id: z.string(),
  client_secret: z.string(),
});

export const manifestCode = z.string().regex(/^[\w.-]{1,256}$/, "expected the code GitHub appends to the redirect");

export class RegistrationError extends Error {
  override name = "RegistrationError";
}

/** Trades the one-time code for the new App's credentials; the App's page on GitHub comes back with them. */
export async function convertManifestCode(
  config: Pick<AppConfig, "GHE_HOST" | "GHE_PROTOCOL" | "GITHUB_REQUEST_TIMEOUT_MS">,
  code: string,
): Promise<{ credentials: AppCredentials; htmlUrl: string; slug: string | undefined }> {
  const url = `${githubUrls(config).api}/app-manifests/${encodeURIComponent(code)}/conversions`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" },
      signal: AbortSignal.timeout(config.GITHUB_REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw new RegistrationError(`cannot reach GitHub at ${url} (${(error as Error).message})`);
  }
  if (!response.ok) {
    throw new RegistrationError(
      `GitHub refused the registration code (HTTP ${response.status}); a code works once and for an hour: register again from /probot`,
    );
  }
  const parsed = conversionSchema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RegistrationError(`GitHub's answer to the registration is not an App (${issue?.path.join(".") ?? ""}: ${issue?.message ?? "unreadable"})`);
  }
  const app = parsed.data;
  return {
    credentials: {
      appId: String(app.id),
      privateKey: app.pem,
      webhookSecret: app.webhook_secret,
      clientId: app.client_id,
      clientSecret: app.client_secret,
    },
    htmlUrl: app.html_url,
    slug: app.slug,
  };
}

/** The import form's fields (form-encoded or JSON, as Probot's import page posts them). */
export const importSchema = z.object({
  appId: z.string().trim().regex(/^\d+$/, "appId: expected the numeric App ID from the App's settings page"),
  pem: z.string().trim().regex(PEM, "pem: expected the App's private key (-----BEGIN RSA PRIVATE KEY----- …)"),
  webhook_secret: z.string().trim().min(1, "webhook_secret: expected the webhook secret set on the App"),
});

/** Writes the credentials to `.env`, after registering them as secrets so no log line carries them. */
export function saveCredentials(envFile: string, credentials: AppCredentials): void {
  for (const secret of [credentials.privateKey, credentials.webhookSecret, credentials.clientSecret]) registerSecret(secret);
  updateEnvFile(envFile, {
    APP_ID: credentials.appId,
    PRIVATE_KEY: credentials.privateKey.replace(/\r\n/g, "\n").trim(),
    WEBHOOK_SECRET: credentials.webhookSecret,
    ...(credentials.clientId ? { GITHUB_CLIENT_ID: credentials.clientId } : {}),
    ...(credentials.clientSecret ? { GITHUB_CLIENT_SECRET: credentials.clientSecret } : {}),
  });
}
