import { z } from "zod";
import { optionalString, urlWithScheme } from "../../core/env-schema.js";
import { defineIntegration } from "../types.js";
import { jiraActions } from "./actions.js";
import { JiraClient } from "./client.js";
import { jiraSettingsSchema } from "./settings.js";
import { JiraSink } from "./sink.js";
import { JiraTracker } from "./tracker.js";

const env = z.object({
  JIRA_BASE_URL: urlWithScheme(["http:", "https:"], "your Jira site's URL, such as https://example.atlassian.net"),
  JIRA_EMAIL: optionalString,
  JIRA_API_TOKEN: optionalString,
});

/** Jira Cloud as the task tracker: the run's issue is commented on, moved and linked; plans may become tasks. */
export const jira = defineIntegration({
  id: "jira",
  name: "Jira",
  kind: "task-tracker",
  description: "Jira Cloud: comments, transitions and links on the run's issue, and tasks from plans",
  env,
  checkEnv(values) {
    const set = [values.JIRA_BASE_URL, values.JIRA_EMAIL, values.JIRA_API_TOKEN];
    return set.some(Boolean) && !set.every(Boolean) ? [{ variable: "JIRA_BASE_URL", message: "set JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN together" }] : [];
  },
  secrets: ["JIRA_API_TOKEN"],
  settings: jiraSettingsSchema,
  actions: jiraActions,
  connect(values) {
    if (!values.JIRA_BASE_URL || !values.JIRA_EMAIL || !values.JIRA_API_TOKEN) return undefined;
    const client = new JiraClient({ baseUrl: values.JIRA_BASE_URL, email: values.JIRA_EMAIL, apiToken: values.JIRA_API_TOKEN });
    return {
      forRepository(settings) {
        const tracker = new JiraTracker(client, settings);
        return { tracker, ...(settings ? { sink: new JiraSink(tracker, settings) } : {}) };
      },
    };
  },
});
