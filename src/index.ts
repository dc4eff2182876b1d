import type { ApplicationFunction } from "probot";
import type { MetricsRecorder } from "./core/metrics.js";
import { IntakeBacklogFull } from "./runs/intake-writer.js";
import type { SandboxStatus } from "./sandbox/index.js";
import type { Store } from "./store/types.js";
import type { QueueJobs } from "./store/queue-health.js";
import { INTAKE_EVENTS, type WebhookIntakeDeps, createWebhookIntake } from "./triggers/webhook.js";
import { createHealthHandler } from "./web/health.js";
import { type MetricsSource, createMetricsHandler } from "./web/metrics-route.js";
import type { RunLinks } from "./web/run-links.js";
import { type RunReaders, createRunsHandler } from "./web/runs-route.js";
import type { SignIn } from "./web/auth/sign-in.js";
import type { People } from "./web/auth/people.js";
import type { GrantKeeper } from "./web/auth/grants.js";
import { createApiHandler } from "./web/api/handler.js";
import { createDashboardHandler } from "./web/pages/dashboard.js";
import type { DashboardSettings } from "./web/pages/settings.js";

export interface AppDependencies {
  store: Store;
  role: string;
  /** Whether this process is taking jobs; null where it runs no queue. */
  queueProcessing: () => boolean | null;
  /** Records and queues deliveries behind the webhook response. */
  intake: { accept: WebhookIntakeDeps["accept"]; readonly backlog: number };
  appId: number | undefined;
  /** Where this process runs commands, for /readyz; absent in a process that runs none. */
  sandbox?: () => SandboxStatus | undefined;
  /** Checks the signed links that open /runs/:id; without it no run is served. */
  runLinks?: Pick<RunLinks, "verify">;
  /**
   * Sign-in with GitHub (/login, /auth/github/callback, /logout), what a person may read, and who
   * a token is, and the keeper of the GitHub grants behind API tokens; absent without the App's
   * OAuth client, and with it /api/v1.
   */
  readers?: RunReaders & { signIn: SignIn; people: People; grants: GrantKeeper; admins?: ReadonlySet<string> };
  /** The dashboard's pages, served with `readers` (nobody sees them without signing in). */
  dashboard?: DashboardSettings;
  /** The queue's job records, for /api/v1/queue. */
  queueJobs?: QueueJobs;
  /** Counts the deliveries received and refused. */
  metrics?: Pick<MetricsRecorder, "delivery">;
  /** Serves /metrics beside the app's routes, behind the token (METRICS_TOKEN without METRICS_PORT). */
  metricsRoute?: { metrics: MetricsSource; token: string };
}

/** The Probot app: wires handlers and HTTP routes, nothing else. */
export function createApp(deps: AppDependencies): ApplicationFunction {
  return (app, { addHandler }) => {
    addHandler(createHealthHandler({ ...deps, intakeBacklog: () => deps.intake.backlog }));
    const { readers } = deps;
    if (readers) {
      addHandler((req, res) => readers.signIn.handle(req, res));
      addHandler(createApiHandler(deps.store, readers, deps.queueJobs ? { queueJobs: deps.queueJobs } : {}));
      // Before the runs route: a browser opening /runs/:id gets the page, other clients the JSON.
      if (deps.dashboard) addHandler(createDashboardHandler({ store: deps.store, readers, ...deps.dashboard, ...(deps.queueJobs ? { queueJobs: deps.queueJobs } : {}) }));
    }
    addHandler(createRunsHandler(deps.store, deps.runLinks, deps.readers));
    if (deps.metricsRoute) addHandler(createMetricsHandler(deps.metricsRoute.metrics, deps.metricsRoute.token));
    const { metrics } = deps;
    // Every delivery whose signature held, whatever its event.
    if (metrics) app.onAny((context) => metrics.delivery(context.name, "received"));
    const intake = createWebhookIntake({ accept: (entry) => deps.intake.accept(entry), appId: deps.appId, log: app.log });
    app.on([...INTAKE_EVENTS], (context) => {
      try {
        intake({ id: context.id, name: context.name, payload: context.payload });
      } catch (error) {
        if (error instanceof IntakeBacklogFull) metrics?.delivery(context.name, "refused_backlog_full");
        throw error;
      }
    });
  };
}
