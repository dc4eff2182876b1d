import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config/env.js";
import { REDACTED, redact } from "../../../src/core/redactor.js";

/** Linear's variables as the boot reads them: checked with the rest of the environment, the key a secret. */
describe("Linear's environment", () => {
  it("defaults LINEAR_API_URL to Linear's GraphQL endpoint", () => {
    expect(loadConfig({}).LINEAR_API_URL).toBe("https://api.linear.app/graphql");
    expect(loadConfig({ LINEAR_API_KEY: "k", LINEAR_API_URL: "http://127.0.0.1:4010/graphql" }).LINEAR_API_URL).toBe("http://127.0.0.1:4010/graphql");
  });

  it("fails the boot naming the variable: an endpoint that is no http(s) URL, or one without a key", () => {
    expect(() => loadConfig({ LINEAR_API_URL: "ftp://linear.test" })).toThrow(ConfigError);
    expect(() => loadConfig({ LINEAR_API_URL: "ftp://linear.test" })).toThrow(/LINEAR_API_URL: expected Linear's GraphQL endpoint, such as https:\/\/api\.linear\.app\/graphql/);
    expect(() => loadConfig({ LINEAR_API_URL: "https://linear.internal/graphql" })).toThrow(/LINEAR_API_KEY: set LINEAR_API_KEY with LINEAR_API_URL/);
  });

  it("keeps LINEAR_API_KEY out of everything logged or posted once the process knows it", () => {
    const secret = "lin_api_envtestsecretvalue42";
    loadConfig({ LINEAR_API_KEY: secret });
    expect(redact(`answered with ${secret}`)).toBe(`answered with ${REDACTED}`);
  });
});
