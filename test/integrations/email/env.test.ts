import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, secretValues } from "../../../src/config/env.js";
import { REDACTED, redact } from "../../../src/core/redactor.js";
import { builtInIntegrations } from "../../../src/integrations/registry.js";

/** The email integration's variables as the server reads them at boot. */

const problem = (env: NodeJS.ProcessEnv): string => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("the email environment", () => {
  it("is off by default, and reads SMTP's variables with their defaults", () => {
    expect(loadConfig({})).toMatchObject({ SMTP_PORT: 587 });
    expect(loadConfig({}).SMTP_HOST).toBeUndefined();
    const config = loadConfig({ SMTP_HOST: "smtp.acme.test", SMTP_PORT: "465", SMTP_SECURE: "true", SMTP_FROM: "ai-agent <ai-agent@acme.test>" });
    expect(config).toMatchObject({ SMTP_HOST: "smtp.acme.test", SMTP_PORT: 465, SMTP_SECURE: "true", SMTP_FROM: "ai-agent <ai-agent@acme.test>" });
  });

  it.each([
    [{ SMTP_HOST: "smtp.acme.test" }, 'SMTP_FROM: set SMTP_FROM, the sender address such as "ai-agent <ai-agent@example.com>", with SMTP_HOST'],
    [{ SMTP_FROM: "ai-agent@acme.test" }, "SMTP_HOST: set SMTP_HOST, the SMTP server, for email notifications (SMTP_FROM, SMTP_USER or SMTP_PASSWORD is set)"],
    [{ SMTP_HOST: "smtp.acme.test", SMTP_FROM: "ai-agent@acme.test", SMTP_USER: "ai-agent" }, "SMTP_PASSWORD: set SMTP_PASSWORD with SMTP_USER"],
    [{ SMTP_HOST: "smtp.acme.test", SMTP_FROM: "ai-agent@acme.test", SMTP_PASSWORD: "a-password-123" }, "SMTP_USER: set SMTP_USER with SMTP_PASSWORD"],
    [{ SMTP_HOST: "smtp://acme.test", SMTP_FROM: "ai-agent@acme.test" }, "SMTP_HOST: expected a host name or IP address, such as smtp.example.com"],
    [{ SMTP_HOST: "smtp.acme.test", SMTP_FROM: "ai-agent" }, 'SMTP_FROM: expected the sender address, such as "ai-agent <ai-agent@example.com>"'],
    [{ SMTP_HOST: "smtp.acme.test", SMTP_FROM: "a@acme.test", SMTP_PORT: "0" }, "SMTP_PORT: expected a whole number from 1 to 65535"],
    [{ SMTP_HOST: "smtp.acme.test", SMTP_FROM: "a@acme.test", SMTP_SECURE: "yes" }, "SMTP_SECURE: expected true or false (true for TLS from the first byte, as on port 465; false for STARTTLS)"],
  ])("rejects %o with one line naming the variable", (env, message) => {
    const text = problem(env);
    expect(text).toBe(`invalid environment: ${message}`);
    expect(text).not.toContain("a-password-123");
  });

  it("knows SMTP_PASSWORD as a secret: redacted from everything logged or posted", () => {
    expect(builtInIntegrations.secretVariables).toContain("SMTP_PASSWORD");
    const password = "smtp-env-password-0042";
    const config = loadConfig({ SMTP_HOST: "smtp.acme.test", SMTP_FROM: "ai-agent@acme.test", SMTP_USER: "ai-agent", SMTP_PASSWORD: password });
    expect(secretValues(config)).toContain(password);
    expect(redact(`AUTH failed for ${password}`)).toBe(`AUTH failed for ${REDACTED}`);
  });
});
