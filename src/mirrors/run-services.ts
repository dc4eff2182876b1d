import type { RepoConfig } from "../config/repo-config-schema.js";
import type { MirrorEnvironment } from "./environment.js";

// Slack and Jira are services of runs whose repository asks for them: actions find them in their context's services.
declare module "../core/action.js" {
  interface RunServices {
    /** Slack and Jira, for the slack.* and jira.* actions. */
    mirrors?: { environment: MirrorEnvironment; notify: RepoConfig["notify"]; jiraKey: () => string | undefined };
  }
}
