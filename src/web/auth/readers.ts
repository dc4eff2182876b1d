import type { AppConfig } from "../../config/env.js";
import { githubUrls } from "../../integrations/github/urls.js";
import { runLinkKey } from "../run-links.js";
import { type RepositoryAccess, repositoryAccess } from "./access.js";
import { type GrantKeeper, grantKeeper } from "./grants.js";
import { type People, people } from "./people.js";
import { type SignIn, createSignIn } from "./sign-in.js";

/**
 * Sign-in with GitHub as the environment sets it up: with the App's OAuth client (GITHUB_CLIENT_ID
 * and GITHUB_CLIENT_SECRET) on GitHub or GHE_HOST, sessions sealed with a key derived like the run
 * links' (so every web process opens every session), who a GitHub token sent to the API is, and
 * the DASHBOARD_ADMINS; the grants behind personal API tokens are sealed with that key too.
 * Undefined without the client: nobody signs in.
 */
export function readersFromConfig(
  config: Pick<AppConfig, "GITHUB_CLIENT_ID" | "GITHUB_CLIENT_SECRET" | "APP_ID" | "PUBLIC_URL" | "PORT" | "GHE_HOST" | "GHE_PROTOCOL" | "RUN_LINK_SECRET" | "privateKey" | "WEBHOOK_SECRET" | "DASHBOARD_ADMINS">,
): { signIn: SignIn; access: RepositoryAccess; people: People; grants: GrantKeeper; admins: ReadonlySet<string> } | undefined {
  if (!config.GITHUB_CLIENT_ID || !config.GITHUB_CLIENT_SECRET) return undefined;
  const urls = githubUrls(config);
  const client = { clientId: config.GITHUB_CLIENT_ID, clientSecret: config.GITHUB_CLIENT_SECRET, web: urls.web, api: urls.api };
  const publicUrl = (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, "");
  return {
    signIn: createSignIn({ client, publicUrl, secret: runLinkKey(config) }),
    grants: grantKeeper(runLinkKey(config), client),
    access: repositoryAccess(client, config.APP_ID ? Number(config.APP_ID) : undefined),
    people: people(client),
    admins: new Set(config.DASHBOARD_ADMINS),
  };
}
