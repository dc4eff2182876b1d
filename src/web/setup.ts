import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseQuery } from "node:querystring";
import path from "node:path";
import type { Logger } from "pino";
import type { AppConfig } from "../config/env.js";
import { githubUrls } from "../integrations/github/urls.js";
import { readBoundedBody } from "./bounded-body.js";
import { buildManifest, readAppManifestFile } from "./setup-manifest.js";
import { importPage, messagePage, registerPage, savedPage } from "./setup-pages.js";
import { RegistrationError, convertManifestCode, importSchema, manifestCode, saveCredentials } from "./setup-registration.js";
import { isPublicUrl, webhookChannelForSetup } from "./webhook-proxy.js";

/**
 * Setup mode, before the App is registered (no APP_ID): the pages that register it from app.yml
 * (or take an existing App's credentials) and write them to `.env`. Probot's setup does the same
 * and is followed here route for route (/probot, /probot/setup, /probot/import), with the webhook
 * URL done right (see setup-manifest.ts), a `.env` whose comments survive, answers from GitHub
 * checked, and, where NODE_ENV=production (a container, a server), a one-time token: anyone who
 * reached an unregistered server first could otherwise make it run as their App.
 */

export interface SetupOptions {
  /** Where the credentials are written; `.env` in the working directory unless given. */
  envFile?: string;
  /** The manifest file; app.yml in the working directory unless given. */
  appYml?: string;
  /** Asks the proxy service for a new channel (SmeeClient.createChannel unless given). */
  createChannel?: () => Promise<string>;
  /** Probot's NO_SMEE_SETUP=true: no new proxy channel. */
  skipChannel?: boolean;
  /** Probot's GH_ORG: register the App on this organisation rather than the signed-in account. */
  org?: string;
}

type SetupConfig = Pick<
  AppConfig,
  "NODE_ENV" | "PUBLIC_URL" | "WEBHOOK_PROXY_URL" | "WEBHOOK_PATH" | "GHE_HOST" | "GHE_PROTOCOL" | "GITHUB_REQUEST_TIMEOUT_MS" | "PORT"
>;

export type SetupHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const TOKEN_COOKIE = "ai_agent_setup";
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const MAX_IMPORT_BYTES = 64 * 1024;

export async function createSetupHandler(config: SetupConfig, log: Logger, options: SetupOptions = {}): Promise<SetupHandler> {
  const envFile = options.envFile ?? path.resolve(".env");
  const appYml = options.appYml ?? path.resolve("app.yml");
  if (options.org !== undefined && !GITHUB_LOGIN.test(options.org)) {
    throw new Error(`GH_ORG: expected an organisation's login, such as my-org (got ${JSON.stringify(options.org)})`);
  }
  // Read now, so a broken app.yml stops the start with its line, not the first visitor's page.
  const file = readAppManifestFile(appYml);
  const channel = await webhookChannelForSetup(config, {
    envFile,
    log,
    ...(options.createChannel ? { createChannel: options.createChannel } : {}),
    ...(options.skipChannel ? { skipCreation: true } : {}),
  });
  const token = config.NODE_ENV === "production" ? randomBytes(24).toString("base64url") : undefined;
  const createAppUrl = `${githubUrls(config).web}${options.org ? `/organizations/${options.org}` : ""}/settings/apps/new`;
  const delivery = isPublicUrl(config.PUBLIC_URL)
    ? "GitHub posts them to the app's public address (PUBLIC_URL)."
    : channel
      ? "GitHub posts them to this webhook proxy channel, and the app, once restarted, replays them to itself: no public address needed."
      : "GitHub cannot reach this address: set WEBHOOK_PROXY_URL or PUBLIC_URL and restart before registering.";
  let registered = false;

  log.info(`no APP_ID yet: open http://localhost:${config.PORT}/probot${token ? `?token=${token}` : ""} to register the GitHub App`);

  return async function setupHandler(req, res) {
    const [pathname = "/", query = ""] = (req.url ?? "/").split("?");
    if (pathname !== "/" && pathname !== "/probot" && !pathname.startsWith("/probot/")) return false;
    if (pathname.startsWith("/probot/static/")) return false;
    const params = parseQuery(query);
    if (req.method === "GET" && pathname === "/") {
      const location = token && typeof params.token === "string" ? `/probot?token=${encodeURIComponent(params.token)}` : "/probot";
      res.writeHead(302, { location, "content-type": "text/plain" }).end(`Found. Redirecting to ${location}`);
      return true;
    }
    if (token && !hasToken(req, params.token, token, res)) {
      send(res, 403, messagePage("Setup needs its token", "Open the setup address printed in the app's log: it carries a one-time token (docker compose logs app)."));
      return true;
    }
    if (registered && (pathname === "/probot/setup" || req.method === "POST")) {
      send(res, 409, messagePage("Already registered", "This app has its credentials in .env: restart it."));
      return true;
    }

    if (req.method === "GET" && pathname === "/probot") {
      const baseUrl = requestBaseUrl(req);
      const inputs = { baseUrl, publicUrl: config.PUBLIC_URL, channel, webhookPath: config.WEBHOOK_PATH, pkg: { name: "ai-agent" } };
      const manifest = buildManifest(file, inputs);
      const hookUrl = (manifest.hook_attributes as { url: string }).url;
      send(res, 200, registerPage({ name: String(manifest.name), createAppUrl, manifest, hookUrl, delivery }));
      return true;
    }
    if (req.method === "GET" && pathname === "/probot/setup") {
      const code = manifestCode.safeParse(params.code);
      if (!code.success) {
        send(res, 400, messagePage("No registration code", code.error.issues[0]?.message ?? "code missing"));
        return true;
      }
      try {
        const { credentials, htmlUrl, slug } = await convertManifestCode(config, code.data);
        saveCredentials(envFile, credentials);
        registered = true;
        log.info({ appId: credentials.appId }, `registered the GitHub App ${slug ?? credentials.appId}; credentials written to ${envFile}. Install it on a repository, then restart the app.`);
        const location = `${htmlUrl}/installations/new`;
        res.writeHead(302, { location, "content-type": "text/plain" }).end(`Found. Redirecting to ${location}`);
      } catch (error) {
        if (!(error instanceof RegistrationError)) throw error;
        log.warn(error.message);
        send(res, 502, messagePage("Registration failed", error.message));
      }
      return true;
    }
    if (req.method === "GET" && pathname === "/probot/import") {
      send(res, 200, importPage());
      return true;
    }
    if (req.method === "POST" && pathname === "/probot/import") {
      const body = await readBoundedBody(req, MAX_IMPORT_BYTES);
      if (body.kind !== "body") {
        send(res, 413, messagePage("Too large", `The form is limited to ${MAX_IMPORT_BYTES} bytes.`));
        return true;
      }
      const fields = importSchema.safeParse(parseImportBody(req.headers["content-type"], body.bytes.toString("utf8")));
      if (!fields.success) {
        send(res, 400, messagePage("Not saved", fields.error.issues.map((issue) => issue.message).join("; ")));
        return true;
      }
      saveCredentials(envFile, { appId: fields.data.appId, privateKey: fields.data.pem, webhookSecret: fields.data.webhook_secret });
      registered = true;
      log.info({ appId: fields.data.appId }, `GitHub App ${fields.data.appId} credentials written to ${envFile}; restart the app.`);
      send(res, 200, savedPage());
      return true;
    }
    return false;
  };
}

/** The token from the query (remembered in a cookie for GitHub's redirect back) or the cookie. */
function hasToken(req: IncomingMessage, fromQuery: string | string[] | undefined, token: string, res: ServerResponse): boolean {
  if (typeof fromQuery === "string" && same(fromQuery, token)) {
    res.setHeader("set-cookie", `${TOKEN_COOKIE}=${token}; Path=/probot; HttpOnly; SameSite=Lax`);
    return true;
  }
  const cookie = new RegExp(`(?:^|;\\s*)${TOKEN_COOKIE}=([^;]+)`).exec(req.headers.cookie ?? "")?.[1];
  return cookie !== undefined && same(cookie, token);
}

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function parseImportBody(contentType: string | undefined, text: string): unknown {
  if (contentType?.includes("application/json")) {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  return parseQuery(text);
}

/** The address the browser used, which GitHub sends it back to after registering. */
function requestBaseUrl(req: IncomingMessage): string {
  const forwardedProto = [req.headers["x-forwarded-proto"]].flat()[0]?.split(",")[0]?.trim();
  const protocol = forwardedProto === "https" || ("encrypted" in req.socket && req.socket.encrypted) ? "https" : "http";
  const host = [req.headers["x-forwarded-host"]].flat()[0] ?? req.headers.host ?? "localhost";
  return `${protocol}://${host}`;
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(html);
}
