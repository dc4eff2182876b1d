import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { DeliveryResult, GitHubRequestObservation, MetricsRecorder, ModelUsageObservation, RunObservation } from "../core/metrics.js";
import { INTAKE_EVENTS } from "../triggers/webhook.js";

/**
 * The app's Prometheus metrics: one registry per process (never prom-client's global one, so each
 * test starts from zero), fed through the MetricsRecorder interface of src/core/metrics.ts, and
 * the gauges read at scrape time from what `observe` is given. Served at /metrics (metrics-route.ts).
 */

/** What the gauges read when Prometheus scrapes. */
export interface MetricsSources {
  /** Webhook deliveries taken and not yet written to the database. */
  intakeBacklog?: () => number;
  /** Runs waiting for a worker and runs in progress, from the store. */
  activeRuns?: () => Promise<{ queued: number; running: number }>;
}

/**
 * The events a delivery's label may name. The header is a stranger's to choose — a request with a
 * bad signature carries any event name it likes — so anything else counts as "other", and a flood
 * of made-up names cannot grow the series without bound.
 */
const KNOWN_EVENTS = new Set([...INTAKE_EVENTS.map((name) => name.split(".")[0]!), "ping", "installation", "installation_repositories", "github_app_authorization"]);
const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]);

/** Seconds: from a webhook's moment to a few hours, as runs take. */
const PICKUP_BUCKETS = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600];
const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];

export class AppMetrics implements MetricsRecorder {
  readonly registry = new Registry();
  private sources: MetricsSources = {};

  private readonly deliveries = new Counter({
    name: "ai_agent_webhook_deliveries_total",
    help: "Webhook deliveries, by event and what became of them: received (signature checked), or refused for a bad signature, for their size, or because the intake backlog is full (those were received too).",
    labelNames: ["event", "result"] as const,
    registers: [this.registry],
  });
  private readonly pickup = new Histogram({
    name: "ai_agent_run_pickup_seconds",
    help: "Seconds from a run being queued to a worker starting it.",
    labelNames: ["task"] as const,
    buckets: PICKUP_BUCKETS,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: "ai_agent_run_duration_seconds",
    help: "Seconds from a run's start to its end, by task and outcome.",
    labelNames: ["task", "outcome"] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly runs = new Counter({
    name: "ai_agent_runs_total",
    help: "Runs finished, by task and outcome (succeeded, failed, stopped).",
    labelNames: ["task", "outcome"] as const,
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: "ai_agent_model_tokens_total",
    help: "Model tokens, by kind: input, output, cache_write, cache_read.",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  private readonly cost = new Counter({
    name: "ai_agent_model_cost_usd_total",
    help: "What the model's answers cost, in US dollars, at the pricing table's prices.",
    registers: [this.registry],
  });
  private readonly githubRequests = new Counter({
    name: "ai_agent_github_requests_total",
    help: "Requests to GitHub's REST and GraphQL APIs, by method and HTTP status (error: no answer).",
    labelNames: ["method", "status"] as const,
    registers: [this.registry],
  });
  private readonly rateLimit = new Gauge({
    name: "ai_agent_github_rate_limit_remaining",
    help: "Requests left in GitHub's rate limit window, as the latest answer of each resource (core, graphql, search) said.",
    labelNames: ["resource"] as const,
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: "ai_agent_errors_total",
    help: "Errors, by kind: failed runs (user_facing, budget_exceeded, api, internal) and failed queue jobs (job_failed).",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });

  constructor() {
    const sources = () => this.sources;
    new Gauge({
      name: "ai_agent_intake_backlog",
      help: "Webhook deliveries this process has taken and not yet written to the database.",
      registers: [this.registry],
      collect() {
        const backlog = sources().intakeBacklog;
        if (backlog) this.set(backlog());
      },
    });
    new Gauge({
      name: "ai_agent_queue_depth",
      help: "Runs waiting for a worker (queued) and in progress (running), across all workers.",
      labelNames: ["state"] as const,
      registers: [this.registry],
      async collect() {
        const active = sources().activeRuns;
        if (!active) return;
        // A database out of reach leaves the gauge empty for this scrape, not stale, and the other
        // metrics are still served.
        const counts = await active().catch(() => undefined);
        if (!counts) {
          this.reset();
          return;
        }
        this.set({ state: "queued" }, counts.queued);
        this.set({ state: "running" }, counts.running);
      },
    });
  }

  /** Where the scrape-time gauges read from; each process gives what it has. */
  observe(sources: MetricsSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  /** The names of every metric family this registry serves. */
  names(): string[] {
    return this.registry.getMetricsAsArray().map((metric) => metric.name);
  }

  delivery(event: string, result: DeliveryResult): void {
    this.deliveries.inc({ event: KNOWN_EVENTS.has(event) ? event : "other", result });
  }

  runFinished(observation: RunObservation): void {
    const { task, outcome } = observation;
    this.runs.inc({ task, outcome });
    if (observation.pickupSeconds !== undefined) this.pickup.observe({ task }, observation.pickupSeconds);
    if (observation.durationSeconds !== undefined) this.duration.observe({ task, outcome }, observation.durationSeconds);
    if (observation.errorKind) this.errors.inc({ kind: observation.errorKind });
  }

  modelUsage(observation: ModelUsageObservation): void {
    this.tokens.inc({ kind: "input" }, observation.inputTokens);
    this.tokens.inc({ kind: "output" }, observation.outputTokens);
    this.tokens.inc({ kind: "cache_write" }, observation.cacheWriteTokens);
    this.tokens.inc({ kind: "cache_read" }, observation.cacheReadTokens);
    this.cost.inc(observation.costMicros / 1_000_000);
  }

  githubRequest(observation: GitHubRequestObservation): void {
    const method = observation.method.toUpperCase();
    this.githubRequests.inc({ method: KNOWN_METHODS.has(method) ? method : "OTHER", status: observation.status === undefined ? "error" : String(observation.status) });
    if (observation.rateLimitRemaining !== undefined) {
      const resource = /^[a-z_]{1,32}$/.test(observation.rateLimitResource ?? "") ? observation.rateLimitResource! : "core";
      this.rateLimit.set({ resource }, observation.rateLimitRemaining);
    }
  }

  error(kind: string): void {
    this.errors.inc({ kind });
  }
}
