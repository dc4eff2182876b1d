import { z } from "zod";
import { optionalString, urlWithScheme } from "../../core/env-schema.js";
import { defineIntegration } from "../types.js";
import { confluenceActions } from "./actions.js";
import { ConfluenceClient } from "./client.js";
import { ConfluenceDocs } from "./docs.js";
import { confluenceContextSchema, confluenceSettingsSchema } from "./settings.js";

const env = z.object({
  CONFLUENCE_BASE_URL: urlWithScheme(["http:", "https:"], "your Confluence site's URL, such as https://example.atlassian.net"),
  CONFLUENCE_EMAIL: optionalString,
  CONFLUENCE_API_TOKEN: optionalString,
});

/** Confluence Cloud as the doc store: plans and workflow outputs published as pages, and pages read as the planner's context. */
export const confluence = defineIntegration({
  id: "confluence",
  name: "Confluence",
  kind: "doc-store",
  description: "Confluence Cloud: plans and workflow outputs published as pages, updated in place, and pages searched for the planner's context",
  env,
  checkEnv(values) {
    const set = [values.CONFLUENCE_BASE_URL, values.CONFLUENCE_EMAIL, values.CONFLUENCE_API_TOKEN];
    if (!set.some(Boolean) || set.every(Boolean)) return [];
    const missing = (["CONFLUENCE_BASE_URL", "CONFLUENCE_EMAIL", "CONFLUENCE_API_TOKEN"] as const).find((name) => !values[name]) ?? "CONFLUENCE_API_TOKEN";
    return [{ variable: missing, message: `set ${missing} too: CONFLUENCE_BASE_URL, CONFLUENCE_EMAIL and CONFLUENCE_API_TOKEN go together` }];
  },
  secrets: ["CONFLUENCE_API_TOKEN"],
  settings: confluenceSettingsSchema,
  context: confluenceContextSchema,
  actions: confluenceActions,
  connect(values) {
    if (!values.CONFLUENCE_BASE_URL || !values.CONFLUENCE_EMAIL || !values.CONFLUENCE_API_TOKEN) return undefined;
    const client = new ConfluenceClient({ baseUrl: values.CONFLUENCE_BASE_URL, email: values.CONFLUENCE_EMAIL, apiToken: values.CONFLUENCE_API_TOKEN });
    return { forRepository: (settings) => ({ docs: new ConfluenceDocs(client, settings) }) };
  },
});
