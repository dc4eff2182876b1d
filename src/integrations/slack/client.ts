import { WebClient } from "@slack/web-api";
import { redactDeep } from "../../core/redactor.js";

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
