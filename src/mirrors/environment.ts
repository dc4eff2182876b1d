import { WebClient } from "@slack/web-api";
import type { Logger } from "pino";
import type { AppConfig } from "../config/env.js";
import { redactDeep } from "../core/redactor.js";
import type { RepoConfig } from "../config/repo-config-schema.js";
import type { RunInfo, StatusSink } from "./events.js";
import { JiraClient } from "./jira-client.js";
import { JiraSink } from "./jira.js";
import { type MirrorStore, RunMirror } from "./mirror.js";
import { SlackSink } from "./slack.js";

/** The Slack and Jira clients, built once from the environment; either may be absent. */
export interface MirrorEnvironment {
  slack?: WebClient;
  jira?: JiraClient;
  store: MirrorStore;
  log: Pick<Logger, "warn">;
}

export function mirrorEnvironment(config: AppConfig, store: MirrorEnvironment["store"], log: MirrorEnvironment["log"]): MirrorEnvironment {
  return {
    ...(config.SLACK_BOT_TOKEN ? { slack: slackClient(config.SLACK_BOT_TOKEN, config.SLACK_API_URL) } : {}),
    ...(config.JIRA_BASE_URL && config.JIRA_EMAIL && config.JIRA_API_TOKEN
      ? { jira: new JiraClient({ baseUrl: config.JIRA_BASE_URL, email: config.JIRA_EMAIL, apiToken: config.JIRA_API_TOKEN }) }
      : {}),
    store,
    log,
  };
}

/**
 * Every Slack call goes through `apiCall` (chat.postMessage, chat.update, the slack.post action):
 * its arguments leave with every secret the process knows redacted. A `token` argument, which
 * is a credential Slack must receive, is left as it is.
 */
class RedactingWebClient extends WebClient {
  override apiCall(method: string, options: Record<string, unknown> = {}): ReturnType<WebClient["apiCall"]> {
    const { token, ...rest } = options;
    return super.apiCall(method, { ...redactDeep(rest), ...(token === undefined ? {} : { token }) });
  }
}

/** Slack's client: retries 429s after their Retry-After, a few times, and logs nothing of its own. */
export function slackClient(token: string, apiUrl?: string, retries = 3): WebClient {
  return new RedactingWebClient(token, {
    ...(apiUrl ? { slackApiUrl: apiUrl.replace(/\/?$/, "/") } : {}),
    retryConfig: { retries, factor: 1.5, minTimeout: 200, maxTimeout: 5_000 },
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, setLevel: () => undefined, getLevel: () => "error" as never, setName: () => undefined },
  });
}

/** The sinks a repository's `notify:` asks for, among those the server has credentials for. */
export function sinksFor(notify: RepoConfig["notify"], environment: MirrorEnvironment): StatusSink[] {
  const sinks: StatusSink[] = [];
  if (notify.slack?.channel && environment.slack) sinks.push(new SlackSink(environment.slack, notify.slack.channel));
  if (notify.jira && environment.jira) sinks.push(new JiraSink(environment.jira, notify.jira));
  return sinks;
}

export function runMirror(notify: RepoConfig["notify"], environment: MirrorEnvironment | undefined, info: () => RunInfo): RunMirror {
  if (!environment) return new RunMirror([], info, { getRun: () => Promise.resolve(null), updateRun: () => Promise.resolve(null), claimNotice: () => Promise.resolve(false) }, { warn: () => undefined });
  return new RunMirror(sinksFor(notify, environment), info, environment.store, environment.log);
}
