import type { GitHubClient } from "./client.js";

// The installation's client is a service of every run: actions find it in their context's services.
declare module "../core/action.js" {
  interface RunServices {
    github?: GitHubClient;
  }
}
