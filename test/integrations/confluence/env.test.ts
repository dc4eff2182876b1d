import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config/env.js";
import { REDACTED, redact } from "../../../src/core/redactor.js";
import { confluenceContextSchema, confluenceSettingsSchema } from "../../../src/integrations/confluence/settings.js";

/** Confluence's variables as the boot reads them, and its repository settings as the file gives them. */
describe("Confluence's environment and settings", () => {
  it("fails the boot naming the missing variable, and a site that is no http(s) URL", () => {
    expect(() => loadConfig({ CONFLUENCE_BASE_URL: "https://acme.atlassian.net", CONFLUENCE_EMAIL: "bot@acme.test" })).toThrow(ConfigError);
    expect(() => loadConfig({ CONFLUENCE_BASE_URL: "https://acme.atlassian.net", CONFLUENCE_EMAIL: "bot@acme.test" })).toThrow(/CONFLUENCE_API_TOKEN: set CONFLUENCE_API_TOKEN too/);
    expect(() => loadConfig({ CONFLUENCE_API_TOKEN: "t", CONFLUENCE_EMAIL: "bot@acme.test" })).toThrow(/CONFLUENCE_BASE_URL: set CONFLUENCE_BASE_URL too/);
    expect(() => loadConfig({ CONFLUENCE_BASE_URL: "acme.atlassian.net" })).toThrow(/CONFLUENCE_BASE_URL: expected your Confluence site's URL/);
    expect(loadConfig({ CONFLUENCE_BASE_URL: "https://acme.atlassian.net", CONFLUENCE_EMAIL: "bot@acme.test", CONFLUENCE_API_TOKEN: "t" }).CONFLUENCE_BASE_URL).toBe("https://acme.atlassian.net");
  });

  it("keeps CONFLUENCE_API_TOKEN out of everything logged or posted once the process knows it", () => {
    const secret = "ATATT3xFfGF0confluenceenvtest77";
    loadConfig({ CONFLUENCE_BASE_URL: "https://acme.atlassian.net", CONFLUENCE_EMAIL: "bot@acme.test", CONFLUENCE_API_TOKEN: secret });
    expect(redact(`answered with ${secret}`)).toBe(`answered with ${REDACTED}`);
  });

  it("takes a space key and a page id, and gives the planner three pages by default", () => {
    expect(confluenceSettingsSchema.parse({ space: "ENG", parent: 123456 })).toEqual({ space: "ENG", parent: "123456", publish_plans: false });
    expect(confluenceSettingsSchema.parse({ space: "~557058abc" })).toEqual({ space: "~557058abc", publish_plans: false });
    expect(confluenceSettingsSchema.safeParse({ space: "ENG", parent: "../admin" }).error?.issues[0]?.message).toBe('expected a page id: the number in the page\'s address, such as "123456"');
    expect(confluenceSettingsSchema.safeParse({ space: 'ENG" OR space = "X' }).error?.issues[0]?.message).toBe('expected a Confluence space key, such as "ENG"');
    expect(confluenceContextSchema.parse({})).toEqual({ limit: 3 });
    expect(confluenceContextSchema.safeParse({ limit: 50 }).error?.issues[0]?.message).toBe("expected a whole number from 1 to 10");
  });
});
