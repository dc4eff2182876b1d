import { z } from "zod";
import { optionalString, urlWithScheme } from "../../core/env-schema.js";
import { defineIntegration } from "../types.js";
import { slackActions } from "./actions.js";
import { slackClient } from "./client.js";
import { SlackNotifier } from "./notifier.js";
import { slackSettingsSchema } from "./settings.js";
import { SlackSink } from "./sink.js";

const env = z.object({
  SLACK_BOT_TOKEN: optionalString,
  SLACK_API_URL: urlWithScheme(["http:", "https:"], "an http(s) URL such as https://slack.com/api/"),
});

/** Slack as the notifier: one message per run in the repository's channel, updated, with a thread of what happened. */
export const slack = defineIntegration({
  id: "slack",
  name: "Slack",
  kind: "notifier",
  description: "Slack: a message per run in the repository's channel, updated as it goes, notable events in its thread",
  env,
  secrets: ["SLACK_BOT_TOKEN"],
  settings: slackSettingsSchema,
  actions: slackActions,
  connect(values) {
    if (!values.SLACK_BOT_TOKEN) return undefined;
    const client = slackClient(values.SLACK_BOT_TOKEN, values.SLACK_API_URL);
    return {
      forRepository(settings) {
        const notifier = new SlackNotifier(client, settings?.channel);
        return { notifier, ...(settings?.channel ? { sink: new SlackSink(notifier, settings.channel) } : {}) };
      },
    };
  },
});
