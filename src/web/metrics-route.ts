import { createHash, timingSafeEqual } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { Logger } from "pino";
import type { Registry } from "prom-client";

/** What /metrics is read from: a process's registry, or one that merges a worker thread's into it. */
export interface MetricsSource {
  registry: Pick<Registry, "metrics" | "contentType">;
}

/**
 * `GET /metrics` in Prometheus' text format. Off unless the operator turns it on: with
 * METRICS_TOKEN it asks for `Authorization: Bearer <token>`, and with METRICS_PORT it is served on
 * that port instead of the app's (see `metricsPlacement`). The figures say how busy the app is
 * and what it spends, which is not for everyone who can reach the webhook URL.
 */
export function createMetricsHandler(metrics: MetricsSource, token: string | undefined) {
  return async function metricsHandler(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    if ((req.url ?? "/").split("?")[0] !== "/metrics") return false;
    if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
      res.writeHead(401, { "content-type": "text/plain; charset=utf-8", "www-authenticate": 'Bearer realm="metrics"', "cache-control": "no-store" });
      res.end("a bearer token is required: Authorization: Bearer <METRICS_TOKEN>\n");
      return true;
    }
    const text = await metrics.registry.metrics();
    res.writeHead(200, { "content-type": metrics.registry.contentType, "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : text);
    return true;
  };
}

/**
 * Compared as SHA-256 digests, so the comparison takes the same time whatever the length of the
 * guess, and timingSafeEqual never sees buffers of different lengths.
 */
function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!match) return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(match[1]!), digest(token));
}

export interface MetricsSettings {
  METRICS_TOKEN?: string | undefined;
  METRICS_PORT?: number | undefined;
}

/** Where /metrics is served: on its own port, beside the app's routes, or nowhere (the default). */
export function metricsPlacement(settings: MetricsSettings): "own port" | "app" | "off" {
  if (settings.METRICS_PORT !== undefined) return "own port";
  return settings.METRICS_TOKEN ? "app" : "off";
}

/** What serves /metrics beside the app's routes: only with a token, and only without METRICS_PORT. */
export function metricsOnApp<M extends MetricsSource>(settings: MetricsSettings, metrics: M): { metrics: M; token: string } | undefined {
  return metricsPlacement(settings) === "app" && settings.METRICS_TOKEN ? { metrics, token: settings.METRICS_TOKEN } : undefined;
}

/**
 * The server of METRICS_PORT: /metrics alone (with the token too, if one is set), 404 for anything
 * else. Bound to HOST like the app, so a private interface keeps it private.
 */
export async function startMetricsServer(
  metrics: MetricsSource,
  options: { port: number; host: string; token?: string | undefined; log: Pick<Logger, "info" | "error"> },
): Promise<Server> {
  const handler = createMetricsHandler(metrics, options.token);
  const server = createServer((req, res) => {
    handler(req, res)
      .then((handled) => {
        if (!handled) res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
      })
      .catch((error: unknown) => {
        options.log.error({ err: error }, "could not collect the metrics");
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end("could not collect the metrics\n");
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  options.log.info({ port: options.port, host: options.host }, "metrics served at /metrics on their own port");
  return server;
}
