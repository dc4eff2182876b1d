import type { Logger } from "pino";
import { SmeeClient } from "smee-client";
import { z } from "zod";
import { updateEnvFile } from "./env-file.js";

/**
 * GitHub delivers webhooks to a public address; a laptop has none. A webhook proxy channel
 * (smee.io, the service Probot's own tooling uses) is such an address: GitHub posts to the
 * channel, and the app holds a stream open to it and replays each delivery to its own webhook
 * path. The setup page registers the App with the channel as its webhook URL, and a deployment
 * with a public address (PUBLIC_URL) needs none.
 */

/** Whether GitHub could reach this URL: a loopback host (the default `http://localhost:3000`) it cannot. */
export function isPublicUrl(url: string | undefined): url is string {
  if (!url) return false;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  return !(host === "localhost" || host.endsWith(".localhost") || /^127\./.test(host) || host === "::1" || host === "0.0.0.0");
}

export interface ChannelSettings {
  PUBLIC_URL?: string | undefined;
  WEBHOOK_PROXY_URL?: string | undefined;
}

export interface ChannelDeps {
  /** Asks the proxy service for a new channel; SmeeClient.createChannel (smee.io/new) unless given. */
  createChannel?: () => Promise<string>;
  /** Where a new channel is remembered (WEBHOOK_PROXY_URL), so a restart uses the same one. */
  envFile: string;
  /** Probot's NO_SMEE_SETUP=true: never ask for a channel. */
  skipCreation?: boolean;
  log: Logger;
}

const channelUrl = z.url({ protocol: /^https?$/, error: "the proxy service answered without a channel address (expected an http(s) URL)" });

/**
 * The channel GitHub should deliver to during setup: none with a public PUBLIC_URL, the
 * WEBHOOK_PROXY_URL when set, otherwise a new one, written to `.env`. Undefined when there is
 * none to be had, with a warning that says what to set.
 */
export async function webhookChannelForSetup(settings: ChannelSettings, deps: ChannelDeps): Promise<string | undefined> {
  if (isPublicUrl(settings.PUBLIC_URL)) return undefined;
  if (settings.WEBHOOK_PROXY_URL) return settings.WEBHOOK_PROXY_URL;
  if (deps.skipCreation) return undefined;
  try {
    const channel = channelUrl.parse(await (deps.createChannel ?? (() => SmeeClient.createChannel()))());
    updateEnvFile(deps.envFile, { WEBHOOK_PROXY_URL: channel });
    deps.log.info({ channel }, `created the webhook proxy channel ${channel} (WEBHOOK_PROXY_URL, kept in ${deps.envFile})`);
    return channel;
  } catch (error) {
    const why = error instanceof z.ZodError ? (error.issues[0]?.message ?? "no channel") : (error as Error).message;
    deps.log.warn(
      `could not create a webhook proxy channel (${why}): GitHub cannot reach this machine, so webhooks will not arrive. ` +
        "Set WEBHOOK_PROXY_URL to a channel from https://smee.io/new, or PUBLIC_URL to the app's public address, and restart.",
    );
    return undefined;
  }
}

export interface WebhookProxy {
  stop(): Promise<void>;
}

/**
 * Replays the channel's deliveries to `target` (the app's own webhook path, which checks each
 * signature as if GitHub had posted it). Not being able to reach the channel does not stop the
 * app, as it does with Probot's own proxy: the failure is logged, and a network one retried.
 */
export function startWebhookProxy(options: { source: string; target: string; log: Logger }): WebhookProxy {
  const log = options.log.child({ name: "webhook-proxy" });
  const client = new SmeeClient({
    source: options.source,
    target: options.target,
    logger: {
      info: (message: string) => log.info(message),
      error: (message: unknown, err?: unknown) => log.warn({ err: err ?? message }, typeof message === "string" ? message : "webhook proxy error"),
    },
  });
  // start() opens the stream before its first await, so stop() can close it even mid-connect.
  client.start().catch((error: unknown) => {
    log.warn({ err: error }, `the webhook proxy channel ${options.source} did not connect (a network failure is retried every few seconds)`);
  });
  return { stop: () => client.stop() };
}
