#!/usr/bin/env node
import type { Server as HttpServer } from "node:http";
import { agentEnvironment } from "./agent/environment.js";
import { connectIntegrations } from "./integrations/connect.js";
import { builtInIntegrations } from "./integrations/registry.js";
import type { Server } from "probot";
import { ConfigError, loadConfig } from "./config/env.js";
import { createApp } from "./index.js";
import { createLogger } from "./web/logger.js";
import { createAppAccess } from "./integrations/github/app-access.js";
import { githubUrls } from "./integrations/github/urls.js";
import { scheduleDeliveryRecovery, triggerIntake } from "./runs/intake-jobs.js";
import { registerJobs } from "./runs/jobs.js";
import { JobQueue } from "./runs/queue.js";
import { installGracefulShutdown } from "./runs/shutdown.js";
import { databaseTarget, openDatabase } from "./store/open.js";
import { sandboxFromConfig } from "./sandbox/from-config.js";
import { NoSandbox } from "./sandbox/index.js";
import { UNSANDBOXED_NOTICE, logSandbox } from "./sandbox/announce.js";
import { runLinksFromConfig } from "./web/run-links.js";
import { readersFromConfig } from "./web/auth/readers.js";
import { dashboardSettings } from "./web/pages/settings.js";
import { loadEnvFile } from "./web/env-file.js";
import { startWebServer } from "./web/server.js";
import { AppMetrics } from "./web/metrics.js";
import { metricsOnApp, metricsPlacement, startMetricsServer } from "./web/metrics-route.js";
import { workflowTasks } from "./runs/workflow-task.js";
import { WorkerHeartbeats } from "./runs/worker-heartbeat.js";
import { appVersion } from "./core/app-version.js";

/**
 * Process entry. ROLE=web serves webhooks and HTTP, ROLE=worker runs jobs, ROLE=all (default) both.
 * SIGTERM stops taking work, lets running jobs finish up to SHUTDOWN_TIMEOUT_MS, and exits 0.
 */
async function main(): Promise<void> {
  // The setup page writes the registered app's credentials to .env; they fill what the environment
  // leaves unset or empty.
  loadEnvFile(".env");

  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`ai-agent: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const log = await createLogger(config);
  const target = databaseTarget(config);
  let database;
  try {
    database = await openDatabase(target);
  } catch (error) {
    // Hosts only: connection URLs may carry a password.
    const where = target.kind === "pglite" ? target.dataDir : (/^[^:]+:\/\/(?:[^@/]*@)?([^/?]*)/.exec(target.url)?.[1] ?? "?");
    log.fatal(`cannot open the ${target.kind} database (${where}): ${(error as Error).message}`);
    process.exit(1);
  }
  log.info({ database: database.kind, role: config.ROLE }, "database ready");

  const runsJobs = config.ROLE !== "web";
  // One registry for the process; served (METRICS_TOKEN, METRICS_PORT) or not, it is fed the same.
  const metrics = new AppMetrics();
  const queue = new JobQueue(database, {
    concurrency: config.QUEUE_CONCURRENCY,
    lockLifetimeMs: config.QUEUE_LOCK_LIFETIME_MS,
    ...(config.QUEUE_POLL_MS === undefined ? {} : { pollMs: config.QUEUE_POLL_MS }),
    log,
    metrics,
  });
  await queue.ready();
  const access = createAppAccess(config, log, {}, metrics);
  const runLinks = runLinksFromConfig(config);
  const runUrl = (runId: string) => runLinks.url(runId);
  const mirrors = { integrations: connectIntegrations(builtInIntegrations, config), store: database.store, log };
  // A web process runs no commands, so it needs no sandbox (nor the security options for one).
  const sandbox = runsJobs ? await sandboxFromConfig(config) : new NoSandbox("this process runs no jobs (ROLE=web)", config.SANDBOX_NETWORK);
  if (runsJobs) logSandbox(sandbox, config.SANDBOX, log);
  const tasks = workflowTasks({ agent: { ...agentEnvironment(config, database.store, sandbox, log), metrics }, botLogin: access.botLogin, mirrors, runUrl, runEvents: { store: database.store, log } });
  registerJobs(queue, { store: database.store, ...access, urls: githubUrls(config), tasks, runUrl, log, metrics, mirrors, triggerRateLimitPerHour: config.TRIGGER_RATE_LIMIT_PER_HOUR, ...(sandbox.kind === "host" ? { notice: UNSANDBOXED_NOTICE } : {}) });
  const intake = triggerIntake(queue, log);
  metrics.observe({ activeRuns: () => database.store.countActiveRuns(), ...(config.ROLE !== "worker" ? { intakeBacklog: () => intake.backlog } : {}) });

  // A worker says it is alive every few seconds, for the queue page; a web process takes no jobs.
  const heartbeat = runsJobs
    ? new WorkerHeartbeats(database.store, { role: config.ROLE === "all" ? "all" : "worker", version: appVersion(), concurrency: config.QUEUE_CONCURRENCY }, () => queue.runningJobs, { log })
    : undefined;

  // Installed before any work starts, so a SIGTERM that arrives during start-up still drains.
  let server: Server | undefined;
  let metricsServer: HttpServer | undefined;
  installGracefulShutdown({
    stopIntake: async () => {
      metricsServer?.close();
      await server?.stop();
      // What was acknowledged is written before the database closes.
      await intake.drain(config.SHUTDOWN_TIMEOUT_MS);
    },
    queue,
    ...(heartbeat ? { stopHeartbeat: () => heartbeat.stop() } : {}),
    close: () => database.close(),
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    log,
  });
  // A failure in one delivery or job must not take the server down with every other run in it.
  process.on("unhandledRejection", (reason) => log.error({ err: reason }, "unhandled rejection"));

  if (runsJobs) {
    await queue.start();
    heartbeat?.start();
    log.info({ concurrency: config.QUEUE_CONCURRENCY, worker: heartbeat?.id }, "worker taking jobs");
    const recover = config.DELIVERY_RECOVERY_INTERVAL_MS > 0 && config.APP_ID && config.privateKey;
    await scheduleDeliveryRecovery(
      queue,
      { ...(recover ? { appClient: access.appClient } : {}), store: database.store, log },
      { intervalMs: config.DELIVERY_RECOVERY_INTERVAL_MS, windowHours: config.DELIVERY_RECOVERY_WINDOW_HOURS },
    );
  }

  const placement = metricsPlacement(config);
  if (placement === "own port") {
    metricsServer = await startMetricsServer(metrics, { port: config.METRICS_PORT!, host: config.HOST ?? "localhost", token: config.METRICS_TOKEN, log });
  }

  if (config.ROLE !== "worker") {
    const onApp = metricsOnApp(config, metrics);
    const appFn = createApp({
      store: database.store,
      role: config.ROLE,
      queueProcessing: () => (runsJobs ? queue.isProcessing : null),
      intake,
      appId: config.APP_ID ? Number(config.APP_ID) : undefined,
      ...(runsJobs ? { sandbox: () => sandbox.describe() } : {}),
      runLinks,
      ...withReaders(readersFromConfig(config)),
      dashboard: dashboardSettings(config),
      queueJobs: database.queueJobs,
      metrics,
      ...(onApp ? { metricsRoute: onApp } : {}),
    });
    server = await startWebServer(config, log, appFn, { metrics });
  }
}

function withReaders(readers: ReturnType<typeof readersFromConfig>) {
  return readers ? { readers } : {};
}

await main();
