import { z } from "zod";
import { optionalString, urlWithScheme } from "../../core/env-schema.js";
import { defineIntegration } from "../types.js";
import { linearActions } from "./actions.js";
import { DEFAULT_LINEAR_API_URL, LinearClient } from "./client.js";
import { linearSettingsSchema } from "./settings.js";
import { LinearSink } from "./sink.js";
import { LinearTracker } from "./tracker.js";

const env = z.object({
  LINEAR_API_KEY: optionalString,
  LINEAR_API_URL: urlWithScheme(["http:", "https:"], `Linear's GraphQL endpoint, such as ${DEFAULT_LINEAR_API_URL}`).transform((url) => url ?? DEFAULT_LINEAR_API_URL),
});

/** Linear as the task tracker: the run's issue is commented on, moved and has its pull request attached; plans may become sub-issues. */
export const linear = defineIntegration({
  id: "linear",
  name: "Linear",
  kind: "task-tracker",
  description: "Linear: comments, workflow states and the pull request attached on the run's issue, and sub-issues from plans",
  env,
  checkEnv(values) {
    return values.LINEAR_API_URL !== DEFAULT_LINEAR_API_URL && !values.LINEAR_API_KEY ? [{ variable: "LINEAR_API_KEY", message: "set LINEAR_API_KEY with LINEAR_API_URL" }] : [];
  },
  secrets: ["LINEAR_API_KEY"],
  settings: linearSettingsSchema,
  actions: linearActions,
  connect(values) {
    if (!values.LINEAR_API_KEY) return undefined;
    const client = new LinearClient({ apiKey: values.LINEAR_API_KEY, apiUrl: values.LINEAR_API_URL });
    return {
      forRepository(settings) {
        const tracker = new LinearTracker(client, settings);
        return { tracker, ...(settings ? { sink: new LinearSink(tracker, settings) } : {}) };
      },
    };
  },
});
