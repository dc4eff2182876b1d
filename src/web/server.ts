import { Server, run } from "probot";
import type { Logger } from "pino";
import type { AppConfig } from "../config/env.js";
import { githubUrls } from "../config/github-urls.js";
import { redactingFetch } from "../github/redaction.js";
import { errorWithoutPayload } from "../logger.js";
import type { ApplicationFunction, Options } from "probot";
import { GuardedProbot } from "./guarded-probot.js";

/** How the app's Probot is built; every REST and GraphQL call goes through its Octokit. */
export function probotOptions(config: AppConfig, log: Logger): Options {
  return {
    appId: config.APP_ID,
    privateKey: config.privateKey,
    secret: config.WEBHOOK_SECRET,
    // GHE_HOST steers REST here, and Octokit derives the GraphQL endpoint from the same base.
    baseUrl: githubUrls(config).api,
    log: log.child({ name: "probot" }),
    // A GitHub call that never answers would hold a job (and its lock) forever. Every call's body
    // is redacted, and every installation token registered with the redactor, on the way.
    request: { fetch: redactingFetch(fetchWithTimeout(config.GITHUB_REQUEST_TIMEOUT_MS)) },
  };
}

function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return (input, init) => fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
}

/**
 * Starts Probot's HTTP server: webhooks at WEBHOOK_PATH (behind the size and signature guard of
 * webhook-guard.ts) plus the app's own routes. Without an App ID it serves Probot's setup page
 * instead, which registers the app from app.yml and writes .env.
 */
export async function startWebServer(config: AppConfig, log: Logger, appFn: ApplicationFunction): Promise<Server> {
  if (!config.APP_ID || !config.privateKey) {
    log.info(`no APP_ID yet: open http://localhost:${config.PORT} to register the GitHub App`);
    return run(appFn, { env: process.env, log: log.child({ name: "probot" }) });
  }
  const options = probotOptions(config, log);
  const server = new Server({
    Probot: GuardedProbot.defaults(options),
    // The Server hands its own log and request options to the Probot it builds, over the defaults
    // above; without `request` here the GitHub timeout would be lost. Probot and @octokit/webhooks
    // log through this log, and their errors carry the delivery's payload: it is left out.
    log: log.child({ name: "server" }, { serializers: { err: errorWithoutPayload } }),
    request: options.request,
    port: config.PORT,
    host: config.HOST ?? "localhost",
    webhookPath: config.WEBHOOK_PATH,
    webhookProxy: config.WEBHOOK_PROXY_URL,
  });
  await server.load(appFn);
  await server.start();
  return server;
}
