import { type Options, Probot } from "probot";
import type { Logger } from "pino";
import type { AppConfig } from "../config/env.js";
import { probotOptions } from "../web/server.js";
import type { GitHubClient, GitHubClientFactory } from "./client.js";

export interface AppAccess {
  github: GitHubClientFactory;
  /** An Octokit authenticated as the app itself (a JWT), for the app's own endpoints. */
  appClient: () => Promise<GitHubClient>;
  /** `<slug>[bot]`, looked up once; undefined while GitHub cannot be reached. */
  botLogin: () => Promise<string | undefined>;
}

/**
 * GitHub access for jobs, which run without a webhook context (and in worker processes without an
 * HTTP server): installation tokens come from the app's own credentials, through the same Probot
 * options as the web server, so GHE_HOST applies here too.
 */
export function createAppAccess(config: AppConfig, log: Logger, overrides: Pick<Options, "Octokit"> = {}): AppAccess {
  if (!config.APP_ID || !config.privateKey) {
    const missing = () => Promise.reject(new Error("APP_ID and PRIVATE_KEY are not set: register the app first"));
    return { github: missing, appClient: missing, botLogin: () => Promise.resolve(undefined) };
  }
  const probot = new Probot({ ...probotOptions(config, log), ...overrides });
  let login: Promise<string | undefined> | undefined;
  return {
    github: (installationId) => probot.auth(installationId),
    appClient: () => probot.auth(),
    botLogin: () => {
      login ??= probot
        .auth()
        .then(async (octokit) => {
          const { data } = await octokit.rest.apps.getAuthenticated();
          return data?.slug ? `${data.slug}[bot]` : undefined;
        })
        .catch((error: unknown) => {
          login = undefined; // try again next time
          log.warn({ err: error }, "could not look up the app's bot login");
          return undefined;
        });
      return login;
    },
  };
}
