import type { Options } from "probot";
import type { Logger } from "pino";
import type { MetricsRecorder } from "../../core/metrics.js";
import { countingFetch } from "./request-metrics.js";
import type { GitHubAppSettings } from "./env.js";
import { redactingFetch } from "./redaction.js";
import { githubUrls } from "./urls.js";

/**
 * How the app's Probot is built; every REST and GraphQL call goes through its Octokit. `metrics`
 * counts the calls and keeps the rate limit they report.
 */
export function probotOptions(config: GitHubAppSettings, log: Logger, metrics?: Pick<MetricsRecorder, "githubRequest">): Options {
  const timed = fetchWithTimeout(config.GITHUB_REQUEST_TIMEOUT_MS);
  return {
    appId: config.APP_ID,
    privateKey: config.privateKey,
    secret: config.WEBHOOK_SECRET,
    // GHE_HOST steers REST here, and Octokit derives the GraphQL endpoint from the same base.
    baseUrl: githubUrls(config).api,
    log: log.child({ name: "probot" }),
    // A GitHub call that never answers would hold a job (and its lock) forever. Every call's body
    // is redacted, and every installation token registered with the redactor, on the way.
    request: { fetch: redactingFetch(metrics ? countingFetch(timed, metrics) : timed) },
  };
}

function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return (input, init) => fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
}
