import { type Options, Probot } from "probot";
import type { Logger } from "pino";
import type { MetricsRecorder } from "../../core/metrics.js";
import { registerSecret } from "../../core/redactor.js";
import type { GitHubAppSettings } from "./env.js";
import { probotOptions } from "./probot-options.js";
import type { GitHubClient, GitHubClientFactory } from "./client.js";
import type { TokenScope } from "./token-scope.js";

type AppAuth = (options: Record<string, unknown>) => Promise<unknown>;
type RequestFn = ((options: unknown) => Promise<unknown>) & { endpoint: { merge: (route: unknown, parameters?: unknown) => { headers: Record<string, string> } } };

/**
 * An installation client whose every token is scoped. Probot's own installation client asks for
 * installation-wide tokens (its factory drops the repository and permission options), so the
 * scoped client brings a small auth strategy of its own: it asks the app (as itself, through the
 * app client's base URL, so GHE_HOST holds) for a token with the scope, and renews it five
 * minutes before it expires; clients of the same installation and scope share it.
 */
interface HeldToken {
  token: string;
  expiresAt: number;
}
/** Scoped tokens by installation and scope, shared by every client of one app: a burst of triggers asks once. */
type TokenCache = Map<string, { pending: Promise<HeldToken>; held?: HeldToken }>;
const RENEW_BEFORE_MS = 5 * 60_000;

async function scopedClient(probot: Probot, installationId: number, scope: TokenScope, cache: TokenCache): Promise<GitHubClient> {
  const app = await probot.auth();
  const appAuth = app.auth as unknown as AppAuth;
  const key = `${installationId}:${scope.repo}:${JSON.stringify(Object.entries(scope.permissions).sort())}`;
  const token = async () => {
    const entry = cache.get(key);
    if (entry && (!entry.held || entry.held.expiresAt - Date.now() > RENEW_BEFORE_MS)) return (await entry.pending).token;
    const fresh: { pending: Promise<HeldToken>; held?: HeldToken } = {
      pending: app
        .request("POST /app/installations/{installation_id}/access_tokens", { installation_id: installationId, repositories: [scope.repo], permissions: scope.permissions })
        .then(({ data }) => {
          // The fetch registers it too (github/redaction.ts); this holds whatever fetch a caller gives.
          registerSecret(data.token, { expiresAt: Date.parse(data.expires_at) });
          fresh.held = { token: data.token, expiresAt: Date.parse(data.expires_at) };
          return fresh.held;
        }),
    };
    // A failed request is asked again next time, not remembered.
    fresh.pending.catch(() => cache.get(key) === fresh && cache.delete(key));
    cache.set(key, fresh);
    return (await fresh.pending).token;
  };
  const strategy = () =>
    Object.assign(async () => ({ type: "token", tokenType: "installation", token: await token() }), {
      hook: async (request: RequestFn, route: unknown, parameters?: unknown) => {
        const endpoint = request.endpoint.merge(route, parameters);
        endpoint.headers.authorization = `token ${await token()}`;
        return request(endpoint);
      },
    });
  // The factory hands over the app client's own options (base URL for GHE_HOST, throttling, log).
  return (await appAuth({
    type: "installation",
    installationId,
    factory: ({ octokit, octokitOptions }: { octokit: GitHubClient; octokitOptions: Record<string, unknown> & { throttle?: { enabled?: boolean } } }) => {
      const Octokit = octokit.constructor as new (options: Record<string, unknown>) => GitHubClient;
      return new Octokit({
        ...octokitOptions,
        authStrategy: strategy,
        auth: {},
        throttle: octokitOptions.throttle?.enabled ? { ...octokitOptions.throttle, id: String(installationId) } : { enabled: false },
      });
    },
  })) as GitHubClient;
}

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
export function createAppAccess(
  config: GitHubAppSettings,
  log: Logger,
  overrides: Pick<Options, "Octokit"> = {},
  metrics?: Pick<MetricsRecorder, "githubRequest">,
): AppAccess {
  if (!config.APP_ID || !config.privateKey) {
    const missing = () => Promise.reject(new Error("APP_ID and PRIVATE_KEY are not set: register the app first"));
    return { github: missing, appClient: missing, botLogin: () => Promise.resolve(undefined) };
  }
  const tokens: TokenCache = new Map();
  const probot = new Probot({ ...probotOptions(config, log, metrics), ...overrides });
  let login: Promise<string | undefined> | undefined;
  return {
    github: (installationId, scope) => (scope ? scopedClient(probot, installationId, scope, tokens) : probot.auth(installationId)),
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
