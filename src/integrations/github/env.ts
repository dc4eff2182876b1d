import { z } from "zod";

/**
 * The environment variables that are GitHub's own: the App's identity and credentials (Probot's
 * names), where GitHub lives (GitHub Enterprise Server), how webhooks arrive, and how long a call
 * may take. Messages name the variable and what is expected, never the value.
 */

const emptyToUndefined = (value: unknown): unknown => (typeof value === "string" && value.trim() === "" ? undefined : value);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
/** GitHub's rule for a login: letters, digits and single inner hyphens, at most 39 characters. */
const GITHUB_LOGIN = /^[a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38}$/i;
const PEM_PATTERN = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----/;

export const githubEnvSchema = z.object({
  APP_ID: z.preprocess(emptyToUndefined, z.string().regex(/^\d+$/, "expected the numeric App ID from the GitHub App settings page").optional()),
  PRIVATE_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      // Some platforms store newlines as the two characters "\n".
      .transform((key) => key.replace(/\\n/g, "\n"))
      .refine((key) => PEM_PATTERN.test(key), "expected a PEM private key (-----BEGIN RSA PRIVATE KEY----- …)")
      .optional(),
  ),
  PRIVATE_KEY_PATH: optionalString,
  WEBHOOK_SECRET: optionalString,
  WEBHOOK_PROXY_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((value) => URL.canParse(value) && ["http:", "https:"].includes(new URL(value).protocol), "expected an http(s) URL such as https://smee.io/abc")
      .optional(),
  ),
  WEBHOOK_PATH: z.preprocess(emptyToUndefined, z.string().startsWith("/", "expected a path starting with /").default("/api/github/webhooks")),
  GHE_HOST: z.preprocess(emptyToUndefined, z.string().regex(/^[a-z0-9.-]+(:\d+)?$/i, "expected a host name such as github.example.com, without scheme or path").optional()),
  GHE_PROTOCOL: z.preprocess(emptyToUndefined, z.enum(["http", "https"], "expected http or https").default("https")),
  // The App's OAuth client, for signing people in to the dashboard with GitHub (the setup page records both).
  GITHUB_CLIENT_ID: optionalString,
  GITHUB_CLIENT_SECRET: optionalString,
  // GitHub logins who may see and retry every queued job on the dashboard, those of no repository too.
  DASHBOARD_ADMINS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .transform((list) => (list ?? "").split(",").map((login) => login.trim()).filter((login) => login !== ""))
      .refine((logins) => logins.every((login) => GITHUB_LOGIN.test(login)), "expected GitHub logins separated by commas, such as octocat,hubot")
      .transform((logins) => logins.map((login) => login.toLowerCase())),
  ),
  GITHUB_REQUEST_TIMEOUT_MS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d+$/, "expected a whole number from 100 to 600000")
      .transform(Number)
      .refine((n) => n >= 100 && n <= 600_000, "expected a whole number from 100 to 600000")
      .optional()
      .transform((n) => n ?? 30_000),
  ),
});
export type GitHubEnv = z.output<typeof githubEnvSchema>;

/** The variables of `githubEnvSchema` that hold credentials. */
export const GITHUB_SECRETS = ["PRIVATE_KEY", "WEBHOOK_SECRET", "GITHUB_CLIENT_SECRET"] as const;

/** What building the App's clients needs: the variables, and the private key's PEM text (PRIVATE_KEY or the file at PRIVATE_KEY_PATH). */
export type GitHubAppSettings = Pick<GitHubEnv, "APP_ID" | "WEBHOOK_SECRET" | "GHE_HOST" | "GHE_PROTOCOL" | "GITHUB_REQUEST_TIMEOUT_MS"> & { privateKey: string | undefined };
