import { readFileSync } from "node:fs";
import { z } from "zod";
import { emptyToUndefined, integer, optionalString, urlWithScheme } from "../core/env-schema.js";
import { registerSecret } from "../core/redactor.js";
import { githubEnvSchema } from "../integrations/github/env.js";
import { type IntegrationSet, builtInIntegrations } from "../integrations/registry.js";

/**
 * Every environment variable the app reads, parsed once at boot: the server's own here, and each
 * integration's from its folder (composed by `envSchemaFor`). Probot's own variables keep the
 * meaning Probot gives them; ours are documented in `.env.example`.
 *
 * Messages name the variable and what is expected, never the value: several of these are secrets,
 * and a boot log is the first thing people paste into a bug report.
 */

/** An amount of US dollars, such as 20 or 2.5, greater than 0. */
const dollars = (fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d+(\.\d+)?$/, "expected an amount in US dollars, such as 20 or 2.5")
      .transform(Number)
      .refine((n) => n > 0 && n <= 1_000_000_000, "expected an amount in US dollars greater than 0")
      .optional()
      .transform((n) => n ?? fallback),
  );

const PEM_PATTERN = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----/;

const envObject = z.object({
    NODE_ENV: z.preprocess(
      emptyToUndefined,
      z.enum(["development", "production", "test"], "expected development, production or test").default("development"),
    ),
    // Probot's variables: the GitHub App's are declared once, in its integration (typed here, as Probot and the web layer read them by name)
    ...githubEnvSchema.shape,
    LOG_LEVEL: z.preprocess(
      emptyToUndefined,
      z
        .enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"], "expected trace, debug, info, warn, error, fatal or silent")
        .default("info"),
    ),
    LOG_FORMAT: z.preprocess(emptyToUndefined, z.enum(["json", "pretty"], "expected json or pretty").optional()),
    PORT: integer(0, 65535, 3000),
    HOST: optionalString,
    // ours
    ROLE: z.preprocess(emptyToUndefined, z.enum(["web", "worker", "all"], "expected web, worker or all").default("all")),
    DATABASE_URL: urlWithScheme(["postgres:", "postgresql:"], "a postgres:// connection URL"),
    // Not parsed with URL: a replica set's seed list (mongodb://a:27017,b:27017/db) is not a WHATWG URL.
    MONGODB_URL: z.preprocess(
      emptyToUndefined,
      z.string().regex(/^mongodb(\+srv)?:\/\/[^/\s]+/, "expected a mongodb:// or mongodb+srv:// connection URL").optional(),
    ),
    DATA_DIR: z.preprocess(emptyToUndefined, z.string().default(".data")),
    PUBLIC_URL: urlWithScheme(["http:", "https:"], "the app's public http(s) URL, such as https://ai-agent.example.com"),
    QUEUE_CONCURRENCY: integer(1, 1000, 5),
    QUEUE_POLL_MS: z.preprocess(
      emptyToUndefined,
      // Agenda silently turns a string like "100" into ~5 s, so this must reach it as a number.
      z.string().regex(/^\d+$/, "expected a number of milliseconds from 10 to 600000").transform(Number)
        .refine((n) => n >= 10 && n <= 600_000, "expected a number of milliseconds from 10 to 600000")
        .optional(),
    ),
    // 55 s: a killed worker's job moves on within a minute, the next poll included.
    QUEUE_LOCK_LIFETIME_MS: integer(1_000, 86_400_000, 55_000),
    SHUTDOWN_TIMEOUT_MS: integer(0, 3_600_000, 30_000),
    // recovering deliveries from GitHub's delivery log (0 turns it off); GitHub keeps 3 days of it
    DELIVERY_RECOVERY_INTERVAL_MS: integer(0, 86_400_000, 60_000),
    DELIVERY_RECOVERY_WINDOW_HOURS: integer(1, 72, 6),
    // the coding agent
    // which model provider's integration answers the ai.* steps (src/integrations/registry.ts)
    MODEL_PROVIDER: z.preprocess(emptyToUndefined, z.string().regex(/^[a-z][a-z0-9-]*$/, "expected the id of a model provider, such as anthropic").default("anthropic")),
    AGENT_COMMAND_TIMEOUT_MS: integer(1_000, 3_600_000, 10 * 60_000),
    // worktrees kept between runs (src/workspace/pool.ts): per repository, and the disk all of them may take
    WORKSPACE_POOL_SIZE: integer(0, 50, 2),
    WORKSPACE_POOL_MAX_MB: integer(0, 16_777_216, 10_240),
    // spending: ceilings no repository's budgets can pass, the monthly budget of a repository that
    // sets none, and how many runs one person may start in a repository in an hour (0: no limit)
    BUDGET_MAX_USD_PER_RUN: dollars(20),
    BUDGET_MAX_USD_PER_INSTALLATION_MONTH: dollars(1000),
    BUDGET_DEFAULT_USD_PER_REPO_MONTH: dollars(200),
    TRIGGER_RATE_LIMIT_PER_HOUR: integer(0, 100_000, 30),
    // the execution boundary (docs/sandbox.md): host only on the operator's explicit word
    SANDBOX: z.preprocess(emptyToUndefined, z.enum(["auto", "bubblewrap", "host"], "expected auto, bubblewrap or host").default("auto")),
    SANDBOX_NETWORK: z.preprocess(emptyToUndefined, z.enum(["deny", "allow"], "expected deny or allow").default("deny")),
    SANDBOX_MAX_PROCESSES: integer(16, 100_000, 1024),
    SANDBOX_MEMORY_MB: integer(64, 1_048_576, 4096),
    // signed links to runs (src/web/run-links.ts): the key, derived from the App's key when unset
    RUN_LINK_SECRET: optionalString,
    RUN_LINK_TTL_DAYS: integer(1, 3650, 30),
    // Prometheus metrics (src/web/metrics-route.ts): off unless one of these is set
    METRICS_TOKEN: z.preprocess(
      emptyToUndefined,
      z.string().regex(/^[\x21-\x7e]{16,}$/, "expected a token of at least 16 characters, without spaces (such as the output of openssl rand -hex 32)").optional(),
    ),
    METRICS_PORT: z.preprocess(
      emptyToUndefined,
      z.string().regex(/^\d+$/, "expected a port number from 1 to 65535").transform(Number)
        .refine((n) => n >= 1 && n <= 65535, "expected a port number from 1 to 65535")
        .optional(),
    ),
  });

/** The variables that choose and bound the sandbox, for the CLI, which reads no other server setting. */
export const sandboxEnvSchema = envObject.pick({ SANDBOX: true, SANDBOX_NETWORK: true, SANDBOX_MAX_PROCESSES: true, SANDBOX_MEMORY_MB: true, DATA_DIR: true, PRIVATE_KEY_PATH: true });

/**
 * The server's variables and every integration's in `set`; a variable two of them claim is a
 * mistake in the code, so it fails at once.
 */
export function envSchemaFor(set: IntegrationSet) {
  const coreVariables = new Set(Object.keys(envObject.shape));
  const own: Record<string, z.ZodType> = envObject.shape;
  for (const [variable, schema] of Object.entries(set.envShape)) {
    // The server may type an integration's variable it reads by name, with that integration's own schema.
    if (coreVariables.has(variable) && own[variable] !== schema) throw new Error(`integration variable ${variable} is one of the server's own`);
  }
  // Each integration types its own variables in its folder; here they are only parsed, and the
  // server's keep their types.
  const integrationShape: Record<never, z.ZodType> = set.envShape;
  return envObject.extend(integrationShape).superRefine((env, ctx) => {
    checkServerEnv(env, ctx);
    const providers = set.all.filter((integration) => integration.kind === "model-provider").map((integration) => integration.id);
    if (!providers.includes(env.MODEL_PROVIDER)) {
      ctx.addIssue({ code: "custom", path: ["MODEL_PROVIDER"], message: `expected the id of a model provider: ${providers.join(", ")}` });
    }
    for (const problem of set.checkEnv(env)) ctx.addIssue({ code: "custom", path: [problem.variable], message: problem.message });
  });
}

type ServerEnv = z.output<typeof envObject>;

function checkServerEnv(env: ServerEnv, ctx: z.RefinementCtx): void {
  if (env.PRIVATE_KEY_PATH && env.PRIVATE_KEY) {
    ctx.addIssue({ code: "custom", path: ["PRIVATE_KEY_PATH"], message: "set either PRIVATE_KEY or PRIVATE_KEY_PATH, not both" });
  }
  if (env.DATABASE_URL && env.MONGODB_URL) {
    ctx.addIssue({ code: "custom", path: ["DATABASE_URL"], message: "set either DATABASE_URL or MONGODB_URL, not both" });
  }
  if (env.ROLE !== "all" && !env.DATABASE_URL && !env.MONGODB_URL) {
    ctx.addIssue({
      code: "custom",
      path: ["ROLE"],
      message: `${env.ROLE} needs DATABASE_URL or MONGODB_URL: the embedded database serves one process`,
    });
  }
  if (env.METRICS_PORT !== undefined && env.METRICS_PORT === env.PORT) {
    ctx.addIssue({ code: "custom", path: ["METRICS_PORT"], message: "expected a port other than PORT: leave it unset to serve /metrics on PORT with METRICS_TOKEN" });
  }
  if (env.ROLE === "worker" && env.METRICS_TOKEN && env.METRICS_PORT === undefined) {
    ctx.addIssue({ code: "custom", path: ["METRICS_PORT"], message: "required for metrics in a worker, which serves no other HTTP" });
  }
  if (env.APP_ID) {
    if (!env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH) {
      ctx.addIssue({ code: "custom", path: ["PRIVATE_KEY"], message: "required when APP_ID is set (or set PRIVATE_KEY_PATH)" });
    }
    if (!env.WEBHOOK_SECRET && env.NODE_ENV === "production") {
      ctx.addIssue({ code: "custom", path: ["WEBHOOK_SECRET"], message: "required in production: the secret set on the GitHub App" });
    }
  }
  // Without APP_ID a web process serves the setup page, in production too (a container's first
  // run), where it asks for the one-time token it logs (src/web/setup.ts).
}

export const envSchema = envSchemaFor(builtInIntegrations);

/** The server's variables, typed; each integration reads its own from the same parsed object. */
export type Env = ServerEnv & Readonly<Record<string, unknown>>;

export interface AppConfig extends Env {
  /** The private key's PEM text, read from PRIVATE_KEY or PRIVATE_KEY_PATH. */
  privateKey: string | undefined;
  logFormat: "json" | "pretty";
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the environment, throwing a ConfigError whose message is one line naming each bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env, set: IntegrationSet = builtInIntegrations): AppConfig {
  const result = (set === builtInIntegrations ? envSchema : envSchemaFor(set)).safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "environment"}: ${issue.message}`);
    throw new ConfigError(`invalid environment: ${problems.join("; ")}`);
  }
  const env = result.data as Env;
  let privateKey = env.PRIVATE_KEY;
  if (env.PRIVATE_KEY_PATH) {
    let text: string;
    try {
      text = readFileSync(env.PRIVATE_KEY_PATH, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      throw new ConfigError(`invalid environment: PRIVATE_KEY_PATH: cannot read ${env.PRIVATE_KEY_PATH} (${code})`);
    }
    if (!PEM_PATTERN.test(text)) {
      throw new ConfigError(`invalid environment: PRIVATE_KEY_PATH: ${env.PRIVATE_KEY_PATH} does not hold a PEM private key`);
    }
    privateKey = text;
  }
  const logFormat = env.LOG_FORMAT ?? (env.NODE_ENV === "production" ? "json" : "pretty");
  const config: AppConfig = { ...env, privateKey, logFormat };
  // Registered the moment the process knows them, so nothing it logs, posts or stores from now
  // on carries them (src/core/redactor.ts).
  for (const secret of secretValues(config, set)) registerSecret(secret);
  return config;
}

/** The values that must never be printed, for log redaction and tests: the server's and each integration's `secrets`. */
export function secretValues(config: AppConfig, set: IntegrationSet = builtInIntegrations): string[] {
  return [
    config.privateKey,
    ...set.secretVariables.map((variable) => config[variable]),
    config.RUN_LINK_SECRET,
    config.METRICS_TOKEN,
    urlPassword(config.DATABASE_URL),
    urlPassword(config.MONGODB_URL),
  ].filter((v): v is string => typeof v === "string" && v.length > 0);
}

/** The password of a connection URL (mongodb seed lists are not WHATWG URLs, so by pattern). */
function urlPassword(url: string | undefined): string | undefined {
  const encoded = url ? /^[a-z][a-z0-9+.-]*:\/\/[^:@/]*:([^@/]*)@/i.exec(url)?.[1] : undefined;
  if (!encoded) return undefined;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}
