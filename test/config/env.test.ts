import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/env.js";
import { REDACTED, redact } from "../../src/core/redactor.js";
import { githubUrls } from "../../src/integrations/github/urls.js";
import { databaseTarget } from "../../src/store/open.js";
import { generatePrivateKey } from "../helpers/keys.js";

const key = generatePrivateKey();
const problem = (env: NodeJS.ProcessEnv): string => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("environment config", () => {
  it("starts with defaults on an empty environment: embedded database, all roles, port 3000", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ ROLE: "all", PORT: 3000, LOG_LEVEL: "info", logFormat: "pretty", WEBHOOK_PATH: "/api/github/webhooks" });
    expect(databaseTarget(config)).toMatchObject({ kind: "pglite" });
  });

  it("reads Probot's variables with Probot's meaning", () => {
    const config = loadConfig({
      APP_ID: "123",
      PRIVATE_KEY: key.replace(/\n/g, "\\n"),
      WEBHOOK_SECRET: "s3cret",
      LOG_FORMAT: "json",
      LOG_LEVEL: "debug",
      PORT: "8080",
      NODE_ENV: "production",
    });
    expect(config.privateKey).toBe(key);
    expect(config).toMatchObject({ APP_ID: "123", PORT: 8080, logFormat: "json", LOG_LEVEL: "debug" });
  });

  it("accepts a MongoDB replica set seed list", () => {
    const config = loadConfig({ MONGODB_URL: "mongodb://user:pw@m1:27017,m2:27017/ai-agent?replicaSet=rs0" });
    expect(databaseTarget(config)).toEqual({ kind: "mongodb", url: "mongodb://user:pw@m1:27017,m2:27017/ai-agent?replicaSet=rs0" });
  });

  it("reads the key from PRIVATE_KEY_PATH", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "ai-agent-key-"));
    const file = path.join(dir, "app.pem");
    await writeFile(file, key);
    expect(loadConfig({ APP_ID: "1", PRIVATE_KEY_PATH: file }).privateKey).toBe(key);
    expect(problem({ APP_ID: "1", PRIVATE_KEY_PATH: path.join(dir, "missing.pem") })).toBe(
      `invalid environment: PRIVATE_KEY_PATH: cannot read ${path.join(dir, "missing.pem")} (ENOENT)`,
    );
  });

  it.each([
    [{ PORT: "eighty" }, "PORT: expected a whole number from 0 to 65535"],
    [{ PORT: "70000" }, "PORT: expected a whole number from 0 to 65535"],
    [{ ROLE: "scheduler" }, "ROLE: expected web, worker or all"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL: expected trace, debug, info, warn, error, fatal or silent"],
    [{ LOG_FORMAT: "xml" }, "LOG_FORMAT: expected json or pretty"],
    [{ DATABASE_URL: "mysql://localhost/db" }, "DATABASE_URL: expected a postgres:// connection URL"],
    [{ MONGODB_URL: "localhost:27017" }, "MONGODB_URL: expected a mongodb:// or mongodb+srv:// connection URL"],
    [{ GHE_HOST: "https://ghe.example.com" }, "GHE_HOST: expected a host name such as github.example.com, without scheme or path"],
    [{ GHE_PROTOCOL: "ftp" }, "GHE_PROTOCOL: expected http or https"],
    [{ APP_ID: "abc", PRIVATE_KEY: key }, "APP_ID: expected the numeric App ID from the GitHub App settings page"],
    [{ APP_ID: "12" }, "PRIVATE_KEY: required when APP_ID is set (or set PRIVATE_KEY_PATH)"],
    [{ QUEUE_POLL_MS: "fast" }, "QUEUE_POLL_MS: expected a number of milliseconds from 10 to 600000"],
    [{ ROLE: "worker" }, "ROLE: worker needs DATABASE_URL or MONGODB_URL: the embedded database serves one process"],
    [{ BUDGET_MAX_USD_PER_RUN: "$20" }, "BUDGET_MAX_USD_PER_RUN: expected an amount in US dollars, such as 20 or 2.5"],
    [{ BUDGET_DEFAULT_USD_PER_REPO_MONTH: "0" }, "BUDGET_DEFAULT_USD_PER_REPO_MONTH: expected an amount in US dollars greater than 0"],
    [{ TRIGGER_RATE_LIMIT_PER_HOUR: "-1" }, "TRIGGER_RATE_LIMIT_PER_HOUR: expected a whole number from 0 to 100000"],
    [{ METRICS_TOKEN: "short" }, "METRICS_TOKEN: expected a token of at least 16 characters, without spaces (such as the output of openssl rand -hex 32)"],
    [{ METRICS_PORT: "0" }, "METRICS_PORT: expected a port number from 1 to 65535"],
    [{ METRICS_PORT: "3000" }, "METRICS_PORT: expected a port other than PORT: leave it unset to serve /metrics on PORT with METRICS_TOKEN"],
    [
      { ROLE: "worker", DATABASE_URL: "postgres://db/ai", METRICS_TOKEN: "0123456789abcdef0123" },
      "METRICS_PORT: required for metrics in a worker, which serves no other HTTP",
    ],
  ])("rejects %o with one line naming the variable", (env, message) => {
    const text = problem(env as NodeJS.ProcessEnv);
    expect(text).toBe(`invalid environment: ${message}`);
    expect(text).not.toContain("\n");
  });

  it("sets the spending ceilings and the trigger rate limit, with defaults", () => {
    expect(loadConfig({})).toMatchObject({
      BUDGET_MAX_USD_PER_RUN: 20,
      BUDGET_MAX_USD_PER_INSTALLATION_MONTH: 1000,
      BUDGET_DEFAULT_USD_PER_REPO_MONTH: 200,
      TRIGGER_RATE_LIMIT_PER_HOUR: 30,
    });
    expect(loadConfig({ BUDGET_MAX_USD_PER_RUN: "2.5", TRIGGER_RATE_LIMIT_PER_HOUR: "0" })).toMatchObject({ BUDGET_MAX_USD_PER_RUN: 2.5, TRIGGER_RATE_LIMIT_PER_HOUR: 0 });
  });

  it("reads the metrics settings, off by default, and keeps the token out of everything posted or logged", () => {
    const defaults = loadConfig({});
    expect([defaults.METRICS_TOKEN, defaults.METRICS_PORT]).toEqual([undefined, undefined]);
    const token = "metrics-0123456789abcdef-env";
    expect(loadConfig({ METRICS_TOKEN: token, METRICS_PORT: "9464" })).toMatchObject({ METRICS_TOKEN: token, METRICS_PORT: 9464 });
    expect(redact(`Authorization: Bearer ${token}`)).toBe(`Authorization: Bearer ${REDACTED}`);
    // A worker serves metrics on their own port only.
    expect(loadConfig({ ROLE: "worker", DATABASE_URL: "postgres://db/ai", METRICS_PORT: "9464" }).METRICS_PORT).toBe(9464);
    expect(problem({ METRICS_TOKEN: "a token with spaces in it" })).toContain("METRICS_TOKEN: expected a token");
    expect(problem({ METRICS_TOKEN: "a token with spaces in it" })).not.toContain("spaces in it");
  });

  it("reads DASHBOARD_ADMINS as GitHub logins, compared in lower case, and names a malformed one's variable", () => {
    expect(loadConfig({}).DASHBOARD_ADMINS).toEqual([]);
    expect(loadConfig({ DASHBOARD_ADMINS: " " }).DASHBOARD_ADMINS).toEqual([]);
    expect(loadConfig({ DASHBOARD_ADMINS: "Octocat, mona-lisa ,,hubot" }).DASHBOARD_ADMINS).toEqual(["octocat", "mona-lisa", "hubot"]);
    expect(problem({ DASHBOARD_ADMINS: "octocat;hubot" })).toContain("DASHBOARD_ADMINS: expected GitHub logins separated by commas");
    expect(problem({ DASHBOARD_ADMINS: "octocat,-hubot" })).toContain("DASHBOARD_ADMINS");
    expect(problem({ DASHBOARD_ADMINS: "x".repeat(40) })).toContain("DASHBOARD_ADMINS");
  });

  it("never repeats a secret's value in its message", () => {
    const badKey = "-----BEGIN RSA PRIVATE KEY-----\nnot-really-a-key-but-secret";
    const text = problem({ APP_ID: "1", PRIVATE_KEY: badKey, WEBHOOK_SECRET: "hunter2", PORT: "x", DATABASE_URL: "postgres//user:pw-secret@db" });
    expect(text).toContain("PRIVATE_KEY: expected a PEM private key");
    expect(text).toContain("DATABASE_URL");
    for (const secret of ["not-really-a-key-but-secret", "hunter2", "pw-secret"]) expect(text).not.toContain(secret);
  });
});

describe("GitHub addresses", () => {
  it("uses github.com without GHE_HOST", () => {
    const urls = githubUrls({ GHE_PROTOCOL: "https" });
    expect(urls.api).toBe("https://api.github.com");
    expect(urls.graphql).toBe("https://api.github.com/graphql");
    expect(urls.gitRemote("octo", "repo")).toBe("https://github.com/octo/repo.git");
  });

  it("sends REST, GraphQL and git to the GitHub Enterprise host", () => {
    const urls = githubUrls({ GHE_HOST: "ghe.example.com", GHE_PROTOCOL: "http" });
    expect(urls.api).toBe("http://ghe.example.com/api/v3");
    expect(urls.graphql).toBe("http://ghe.example.com/api/graphql");
    expect(urls.web).toBe("http://ghe.example.com");
    expect(urls.gitRemote("octo", "repo")).toBe("http://ghe.example.com/octo/repo.git");
  });
});

describe(".env.example", () => {
  it("copied as it is to .env, starts the app on its defaults", async () => {
    const { parseEnv } = await import("node:util");
    const { readFile } = await import("node:fs/promises");
    const env = parseEnv(await readFile(new URL("../../.env.example", import.meta.url), "utf8"));
    const documented = Object.keys(env);
    expect(loadConfig(env)).toMatchObject({ ROLE: "all", PORT: 3000 });
    // Every variable the schema reads is documented there.
    const { envSchema } = await import("../../src/config/env.js");
    expect(Object.keys(envSchema.shape).filter((name) => !documented.includes(name))).toEqual([]);
  });
});
