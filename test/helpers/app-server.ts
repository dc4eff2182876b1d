import { pino } from "pino";
import { ProbotOctokit, type Server } from "probot";
import { type AppConfig, loadConfig } from "../../src/config/env.js";
import { type AppAccess, createAppAccess } from "../../src/integrations/github/app-access.js";
import { createApp } from "../../src/index.js";
import { triggerIntake } from "../../src/runs/intake-jobs.js";
import { registerJobs } from "../../src/runs/jobs.js";
import type { MirrorEnvironment } from "../../src/runs/mirror.js";
import { JobQueue } from "../../src/runs/queue.js";
import type { TaskRegistry } from "../../src/runs/tasks.js";
import type { Database } from "../../src/store/open.js";
import type { Store } from "../../src/store/types.js";
import type { Server as HttpServer } from "node:http";
import { AppMetrics } from "../../src/web/metrics.js";
import { metricsOnApp, metricsPlacement, startMetricsServer } from "../../src/web/metrics-route.js";
import { runLinksFromConfig } from "../../src/web/run-links.js";
import { readersFromConfig } from "../../src/web/auth/readers.js";
import { WorkerHeartbeats } from "../../src/runs/worker-heartbeat.js";
import { appVersion } from "../../src/core/app-version.js";
import { dashboardSettings } from "../../src/web/pages/settings.js";
import { startWebServer } from "../../src/web/server.js";
import { freePort } from "./app-process.js";
import { type TestDatabase, freshPostgres } from "./databases.js";
import { generatePrivateKey } from "./keys.js";

export const APP_ID = 9_001;
export const WEBHOOK_SECRET = "intake-test-secret";

export interface TestApp {
  base: string;
  webhookUrl: string;
  database: Database;
  /** The app's configuration, its private key and webhook secret among it. */
  config: AppConfig;
  /** A signed link to a run's page, as tracking comments carry. */
  runUrl: (id: string) => string;
  /** The app's own GitHub access, as its jobs use it. */
  access: AppAccess;
  /** The process's metrics, fed as main.ts feeds them. */
  metrics: AppMetrics;
  close(): Promise<void>;
}

/** The whole app in this process — Probot server, queue worker, real PostgreSQL — with given tasks. */
export async function startTestApp(
  tasks: TaskRegistry | ((store: Store) => TaskRegistry) = {},
  options: {
    concurrency?: number;
    triggerRateLimitPerHour?: number;
    mirrors?: (store: Store) => MirrorEnvironment;
    /** More of the server's variables, such as METRICS_TOKEN or METRICS_PORT. */
    env?: Record<string, string>;
    /** The metrics the app feeds, for a test that hands them to the tasks too. */
    metrics?: AppMetrics;
    /**
     * GitHub's write throttle and the queue's poll interval as a production server has them, for
     * benchmarks: figures taken without them measure a server nobody runs.
     */
    production?: boolean;
  } = {},
): Promise<TestApp> {
  const testDb: TestDatabase = await freshPostgres();
  if (testDb.target.kind !== "postgres") throw new Error("expected PostgreSQL");
  const port = await freePort();
  const config = loadConfig({
    APP_ID: String(APP_ID),
    PRIVATE_KEY: generatePrivateKey(),
    WEBHOOK_SECRET,
    DATABASE_URL: testDb.target.url,
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ...options.env,
  });
  const metrics = options.metrics ?? new AppMetrics();
  const readers = readersFromConfig(config);
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const database = await testDb.open();
  // Production polls at the database's default (QUEUE_POLL_MS unset); tests take jobs sooner.
  const queue = new JobQueue(database, { concurrency: options.concurrency ?? 5, lockLifetimeMs: 60_000, ...(options.production ? {} : { pollMs: 100 }), log, metrics });
  await queue.ready();
  const runLinks = runLinksFromConfig(config);
  const runUrl = (id: string) => runLinks.url(id);
  // GitHub asks for a second between writes, and Octokit's throttling enforces it; the fake GitHub
  // needs no such pause, and tests that post a dozen comments would otherwise take a dozen seconds.
  // Probot sets its own throttle options on every instance, so switch it off after those.
  class Octokit extends ProbotOctokit {
    constructor(options: ConstructorParameters<typeof ProbotOctokit>[0] = {}) {
      const throttle = options.throttle as Record<string, unknown> | undefined;
      super({ ...options, throttle: { ...throttle, enabled: false } });
    }
  }
  const access = createAppAccess(config, log, options.production ? {} : { Octokit }, metrics);
  const rate = options.triggerRateLimitPerHour === undefined ? {} : { triggerRateLimitPerHour: options.triggerRateLimitPerHour };
  const mirrors = options.mirrors ? { mirrors: options.mirrors(database.store) } : {};
  registerJobs(queue, { store: database.store, ...access, tasks: typeof tasks === "function" ? tasks(database.store) : tasks, runUrl, log, metrics, ...rate, ...mirrors });
  await queue.start();
  // The worker records itself as main.ts's does, for the queue page.
  const heartbeat = new WorkerHeartbeats(database.store, { role: "all", version: appVersion(), concurrency: options.concurrency ?? 5 }, () => queue.runningJobs, { log });
  heartbeat.start();
  const intake = triggerIntake(queue, log);
  metrics.observe({ activeRuns: () => database.store.countActiveRuns(), intakeBacklog: () => intake.backlog });
  const placement = metricsPlacement(config);
  const metricsServer: HttpServer | undefined =
    placement === "own port" ? await startMetricsServer(metrics, { port: config.METRICS_PORT!, host: "127.0.0.1", token: config.METRICS_TOKEN, log }) : undefined;
  const onApp = metricsOnApp(config, metrics);
  const server: Server = await startWebServer(
    config,
    log,
    createApp({
      store: database.store,
      role: "all",
      queueProcessing: () => queue.isProcessing,
      intake,
      appId: APP_ID,
      runLinks,
      metrics,
      ...(onApp ? { metricsRoute: onApp } : {}),
      ...(readers ? { readers, dashboard: dashboardSettings(config) } : {}),
      queueJobs: database.queueJobs,
    }),
    { metrics },
  );
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    webhookUrl: `${base}/api/github/webhooks`,
    database,
    config,
    runUrl,
    access,
    metrics,
    async close() {
      await new Promise((resolve) => (metricsServer ? metricsServer.close(resolve) : resolve(undefined)));
      await server.stop();
      await intake.drain(5_000);
      await queue.drain(5_000);
      await heartbeat.stop();
      await database.close();
      await testDb.dispose();
    },
  };
}

/** Waits until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`condition not met in ${timeoutMs} ms${last instanceof Error ? `: ${last.message}` : ""}`);
}
