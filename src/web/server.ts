import { randomBytes } from "node:crypto";
import { Server } from "probot";
import type { Logger } from "pino";
import type { AppConfig } from "../config/env.js";
import { probotOptions } from "../integrations/github/probot-options.js";
import { errorWithoutPayload } from "./logger.js";
import type { ApplicationFunction } from "probot";
import type { MetricsRecorder } from "../core/metrics.js";
import { guardedProbot } from "./guarded-probot.js";
import { type SetupOptions, createSetupHandler } from "./setup.js";
import { type WebhookProxy, startWebhookProxy } from "./webhook-proxy.js";

export interface WebServerOptions {
  /** How setup mode (no APP_ID yet) finds its files and its webhook proxy channel. */
  setup?: SetupOptions;
  /** Hears of the deliveries the webhook guard refuses, and of the webhook clients' GitHub calls. */
  metrics?: Pick<MetricsRecorder, "delivery" | "githubRequest">;
}

/**
 * Starts Probot's HTTP server: webhooks at WEBHOOK_PATH (behind the size and signature guard of
 * webhook-guard.ts) plus the app's own routes, and, with WEBHOOK_PROXY_URL, the stream that replays
 * the proxy channel's deliveries to that path. Without an App ID it serves the setup pages
 * (setup.ts) beside the app's routes (/healthz, /readyz), and registers the app from app.yml.
 */
export async function startWebServer(config: AppConfig, log: Logger, appFn: ApplicationFunction, options: WebServerOptions = {}): Promise<Server> {
  const registered = Boolean(config.APP_ID && config.privateKey);
  const probot = probotOptions(config, log, options.metrics);
  const server = new ProxiedServer(
    {
      // Before registration Probot needs an App all the same, as in Probot's own setup mode; it is
      // never used, and the random secret refuses every webhook.
      Probot: guardedProbot(options.metrics).defaults(
        registered ? probot : { ...probot, appId: 1, privateKey: "unused until the App is registered", secret: randomBytes(32).toString("hex") },
      ),
      // The Server hands its own log and request options to the Probot it builds, over the defaults
      // above; without `request` here the GitHub timeout would be lost. Probot and @octokit/webhooks
      // log through this log, and their errors carry the delivery's payload: it is left out.
      log: log.child({ name: "server" }, { serializers: { err: errorWithoutPayload } }),
      request: probot.request,
      port: config.PORT,
      host: config.HOST ?? "localhost",
      webhookPath: config.WEBHOOK_PATH,
    },
    registered && config.WEBHOOK_PROXY_URL ? { source: config.WEBHOOK_PROXY_URL, path: config.WEBHOOK_PATH, log } : undefined,
  );
  if (!registered) {
    // Probot's own setup variables, read as Probot reads them.
    const skipChannel = options.setup?.skipChannel ?? process.env.NO_SMEE_SETUP === "true";
    const org = options.setup?.org ?? (process.env.GH_ORG || undefined);
    const setup = { ...options.setup, skipChannel, ...(org ? { org } : {}) };
    server.addHandler(await createSetupHandler(config, log.child({ name: "setup" }), setup));
  } else if (!config.PUBLIC_URL) {
    log.warn(`PUBLIC_URL is not set: links to runs in tracking comments point at http://localhost:${config.PORT}`);
  }
  await server.load(appFn);
  await server.start();
  return server;
}

/**
 * Probot's Server with our webhook proxy in place of Probot's: Probot's stops the start when the
 * channel cannot be reached, and loads smee-client through npx at run time.
 */
class ProxiedServer extends Server {
  #proxy: { source: string; path: string; log: Logger } | undefined;
  #running: WebhookProxy | undefined;

  constructor(options: ConstructorParameters<typeof Server>[0], proxy: { source: string; path: string; log: Logger } | undefined) {
    super(options);
    this.#proxy = proxy;
  }

  override async start(): ReturnType<Server["start"]> {
    const http = await super.start();
    if (this.#proxy) {
      // The address the server listens on, as a client reaches it: not the wildcard.
      const host = this.host === "0.0.0.0" ? "127.0.0.1" : this.host === "[::]" ? "[::1]" : this.host;
      const target = `http://${host}:${this.port}${this.#proxy.path}`;
      this.#running = startWebhookProxy({ source: this.#proxy.source, target, log: this.#proxy.log });
    }
    return http;
  }

  override async stop(): Promise<void> {
    await this.#running?.stop();
    this.#running = undefined;
    await super.stop();
  }
}
