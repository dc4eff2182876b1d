import { defineIntegration } from "../types.js";
import { type VersionControl, type VersionControlConnector, connectionId } from "../kinds/version-control.js";
import { githubActions } from "./actions.js";
import type { GitHubClientFactory } from "./client.js";
import { GITHUB_SECRETS, githubEnvSchema } from "./env.js";
import { tokenScope } from "./token-scope.js";
import { githubUrls } from "./urls.js";
import { githubVersionControl } from "./version-control.js";

/**
 * GitHub as an integration: the forge the app is a GitHub App of. Its connections are the App's
 * installations (`github:<installation id>`); each repository opens as a VersionControl with a
 * token scoped to that repository and to what the use needs.
 */

export interface GitHubConnected {
  actions: typeof githubActions;
  /**
   * The forge of one repository, through installation clients from `clients` (the App's access,
   * built at boot with the server's log and Probot options).
   */
  connector(clients: GitHubClientFactory): VersionControlConnector;
}

export const github = defineIntegration<typeof githubEnvSchema, undefined, GitHubConnected>({
  id: "github",
  name: "GitHub",
  kind: "version-control",
  description: "GitHub (or GitHub Enterprise Server) through the GitHub App's installations",
  env: githubEnvSchema,
  secrets: GITHUB_SECRETS,
  actions: githubActions,
  connect(env) {
    const urls = githubUrls(env);
    return {
      actions: githubActions,
      connector: (clients) => ({
        async open({ account, owner, repo, use }): Promise<VersionControl> {
          const installationId = Number(account);
          if (!Number.isSafeInteger(installationId) || installationId <= 0) throw new Error(`${connectionId("github", account)} is not a GitHub installation`);
          const octokit = await clients(installationId, tokenScope(repo, use));
          return githubVersionControl(octokit, { owner, repo, installationId, urls });
        },
      }),
    };
  },
});
