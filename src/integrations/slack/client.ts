import type { WebClient } from "@slack/web-api";
import { redactDeep } from "../../core/redactor.js";

/** Slack's client, made when first used: a server whose repositories post nothing to Slack never loads @slack/web-api. */
export type SlackClient = () => Promise<WebClient>;

/**
 * Slack's client: retries 429s after their Retry-After, a few times, and logs nothing of its own.
 * Every Slack call goes through `apiCall` (chat.postMessage, chat.update, the slack.post action):
 * its arguments leave with every secret the process knows redacted. A `token` argument, which is a
 * credential Slack must receive, is left as it is.
 */
export function slackClient(token: string, apiUrl?: string, retries = 3): SlackClient {
  let client: Promise<WebClient> | undefined;
  return () =>
    (client ??= import("@slack/web-api").then(({ WebClient: Client }) => {
      class RedactingWebClient extends Client {
        override apiCall(method: string, options: Record<string, unknown> = {}): ReturnType<WebClient["apiCall"]> {
          const { token: credential, ...rest } = options;
          return super.apiCall(method, { ...redactDeep(rest), ...(credential === undefined ? {} : { token: credential }) });
        }
      }
      return new RedactingWebClient(token, {
        ...(apiUrl ? { slackApiUrl: apiUrl.replace(/\/?$/, "/") } : {}),
        retryConfig: { retries, factor: 1.5, minTimeout: 200, maxTimeout: 5_000 },
        logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, setLevel: () => undefined, getLevel: () => "error" as never, setName: () => undefined },
      });
    }));
}
