import type { RunIntegrations } from "./kinds/parts.js";

// A run's connected integrations are a service of the run: their actions find their own part here.
declare module "../core/action.js" {
  interface RunServices {
    /** The run's connected integrations by id (`slack.post` uses `integrations.slack`). */
    integrations?: RunIntegrations;
  }
}
