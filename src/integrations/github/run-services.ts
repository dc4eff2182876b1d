import type { VersionControl } from "../kinds/version-control.js";
import type { GitHubClient } from "./client.js";

// The installation's client and the run's repository on its forge are services of every run:
// actions find them in their context's services.
declare module "../../core/action.js" {
  interface RunServices {
    github?: GitHubClient;
    /** The run's repository on its forge; the change-request actions and reviews go through it. */
    versionControl?: VersionControl;
  }
}
