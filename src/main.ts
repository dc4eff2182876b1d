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
import { WorkerThread, endWorkerThread, inWorkerThread, mergedMetrics, serveMainThread, yieldToMainThread } from "./runs/worker-thread.js";

/**
 * Process entry. ROLE=web serves webhooks and HTTP, ROLE=worker runs jobs, ROLE=all (default) both:
 * on a database server, the worker on a thread of its own that runs this same entry (worker-thread.ts);
 * on the embedded database, in this thread. SIGTERM stops taking work, lets running jobs finish up to
 * SHUTDOWN_TIMEOUT_MS, and exits 0.
 */
async function main(): Promise<void> {
  // The setup page writes the registered app's credentials to .env; they fill what the environment
  // leaves unset or empty.
  loadEnvFile(".env");
  if (inWorkerThread) yieldToMainThread();

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

  const logger = await createLogger(config);
  const log = inWorkerThread ? logger.child({ thread: "worker" }) : logger;
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

  // What this thread does: ROLE=all on a database server splits into a web thread and a worker one.
  const part = inWorkerThread ? "worker" : config.ROLE === "all" && target.kind !== "pglite" ? "web" : config.ROLE;
  const runsJobs = part !== "web";
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
  // The gauges read the store: once per process, by the main thread (a worker thread's metrics are summed into its own).
  metrics.observe({ ...(inWorkerThread ? {} : { activeRuns: () => database.store.countActiveRuns() }), ...(part !== "worker" ? { intakeBacklog: () => intake.backlog } : {}) });

  // A worker says it is alive every few seconds, for the queue page; a web process takes no jobs.
  const heartbeat = runsJobs
    ? new WorkerHeartbeats(database.store, { role: config.ROLE === "all" ? "all" : "worker", version: appVersion(), concurrency: config.QUEUE_CONCURRENCY }, () => queue.runningJobs, { log })
    : undefined;

  // Installed before any work starts, so a SIGTERM that arrives during start-up still drains.
  let server: Server | undefined;
  let metricsServer: HttpServer | undefined;
  let thread: WorkerThread | undefined;
  const shutdown = installGracefulShutdown({
    stopIntake: async (signal) => {
      metricsServer?.close();
      await server?.stop();
      // What was acknowledged is written before the database closes.
      await intake.drain(config.SHUTDOWN_TIMEOUT_MS);
      // The worker thread drains its jobs as a worker process would; a little past the same deadline, it is ended.
      await thread?.stop(signal, config.SHUTDOWN_TIMEOUT_MS + 5_000);
    },
    queue,
    ...(heartbeat ? { stopHeartbeat: () => heartbeat.stop() } : {}),
    close: () => database.close(),
    ...(inWorkerThread ? { exit: endWorkerThread } : {}),
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    log,
  });
  // A failure in one delivery or job must not take the server down with every other run in it.
  process.on("unhandledRejection", (reason) => log.error({ err: reason }, "unhandled rejection"));

  if (part === "web" && config.ROLE === "all") {
    thread = new WorkerThread(new URL(import.meta.url), process.env, log, (code) => {
      log.fatal({ code }, "the worker thread ended; stopping, so that a restart brings both back");
      process.exit(1);
    });
  }
  if (runsJobs) {
    await queue.start();
    heartbeat?.start();
    if (inWorkerThread) {
      const main = serveMainThread({ registry: metrics.registry, shutdown });
      const report = () => main.report({ processing: queue.isProcessing, sandbox: sandbox.describe() });
      report();
      setInterval(report, 5_000).unref();
    }
    log.info({ concurrency: config.QUEUE_CONCURRENCY, worker: heartbeat?.id }, "worker taking jobs");
    const recover = config.DELIVERY_RECOVERY_INTERVAL_MS > 0 && config.APP_ID && config.privateKey;
    await scheduleDeliveryRecovery(
      queue,
      { ...(recover ? { appClient: access.appClient } : {}), store: database.store, log },
      { intervalMs: config.DELIVERY_RECOVERY_INTERVAL_MS, windowHours: config.DELIVERY_RECOVERY_WINDOW_HOURS },
    );
  }

  // Both threads' metrics, served by the main thread.
  const served = thread ? mergedMetrics(metrics.registry, thread) : metrics;
  const placement = metricsPlacement(config);
  if (placement === "own port" && !inWorkerThread) {
    metricsServer = await startMetricsServer(served, { port: config.METRICS_PORT!, host: config.HOST ?? "localhost", token: config.METRICS_TOKEN, log });
  }

  if (part !== "worker") {
    const onApp = metricsOnApp(config, served);
    const appFn = createApp({
      store: database.store,
      role: config.ROLE,
      queueProcessing: () => (thread ? thread.queueProcessing() : runsJobs ? queue.isProcessing : null),
      intake,
      appId: config.APP_ID ? Number(config.APP_ID) : undefined,
      ...(thread ? { sandbox: () => thread?.sandbox() } : runsJobs ? { sandbox: () => sandbox.describe() } : {}),
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
