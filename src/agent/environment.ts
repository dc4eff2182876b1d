import path from "node:path";
import type { AppConfig } from "../config/env.js";
import { githubUrls } from "../integrations/github/urls.js";
import { microsFromUsd as usd } from "../core/format.js";
import type { ModelProvider } from "../integrations/kinds/model-provider.js";
import { integrations, integrationsOfKind } from "../integrations/registry.js";
import type { Integration } from "../integrations/types.js";
import type { Sandbox } from "../sandbox/index.js";
import type { Store } from "../store/types.js";
import type { MetricsRecorder } from "../core/metrics.js";
import type { BudgetCeilings, LedgerStore } from "./budget.js";
import { ModelAccess } from "./model-access.js";
import { RunWorkspace } from "./run-workspace.js";
import type { RunSubject } from "./subject.js";
import { type WorkspaceLog, WorkspaceManager } from "../workspace/workspace.js";

/** The coding agent's server-wide parts, built once at start-up (the CLI builds its own). */
export interface AgentEnvironment {
  /** Absent when the chosen provider is not set up (no API key): the ai.* actions say so. */
  model?: ModelProvider;
  /** What the ai.* actions say when `model` is absent. */
  modelUnavailable?: string;
  workspaces: WorkspaceManager;
  store: LedgerStore;
  /** Where the repository is fetched from and pushed to. */
  remoteUrl(owner: string, repo: string): string;
  commandTimeoutMs: number;
  /** Where every command of the repository or the model runs. */
  sandbox: Sandbox;
  /** The server's spending ceilings and default (BUDGET_* variables); DEFAULT_CEILINGS when absent. */
  budgets?: BudgetCeilings;
  /** Counts the model's tokens and cost. */
  metrics?: Pick<MetricsRecorder, "modelUsage">;
}

/**
 * The model provider MODEL_PROVIDER names, connected with the server's environment; undefined
 * (with the words the ai.* steps say instead) when that provider is not set up. The environment's
 * schema has already refused a name that is no model provider's in the registry.
 */
export function connectModelProvider(
  config: Pick<AppConfig, "MODEL_PROVIDER">,
  available: Iterable<Integration> = integrations.values(),
): { provider?: ModelProvider; unavailable: string } {
  const providers = integrationsOfKind("model-provider", available);
  const chosen = providers.find((integration) => integration.id === config.MODEL_PROVIDER);
  if (!chosen) {
    throw new Error(`MODEL_PROVIDER: no model provider is called "${config.MODEL_PROVIDER}"; expected one of ${providers.map((p) => p.id).join(", ")}`);
  }
  const unavailable = `The coding agent needs ${chosen.secrets.join(" and ") || `the ${chosen.id} model provider`}, and it is not set on this server.`;
  // Each integration's connect() reads its own variables from the parsed environment.
  const provider = chosen.connect(config) as ModelProvider | undefined;
  return { ...(provider ? { provider } : {}), unavailable };
}

/**
 * The coding agent's server-wide parts, from the environment: model provider, git cache, store.
 * `log` hears of the git cache's repairs (stale lock files removed, a broken clone re-created);
 * `available` is the registry of integrations to choose the model provider from.
 */
export function agentEnvironment(config: AppConfig, store: Store, sandbox: Sandbox, log?: WorkspaceLog, available?: Iterable<Integration>): AgentEnvironment {
  const urls = githubUrls(config);
  const { provider, unavailable } = connectModelProvider(config, available);
  return {
    ...(provider ? { model: provider } : {}),
    modelUnavailable: unavailable,
    workspaces: new WorkspaceManager({
      cacheDir: path.resolve(config.DATA_DIR, "git"),
      ...(log ? { log } : {}),
      pool: { perRepo: config.WORKSPACE_POOL_SIZE, maxBytes: config.WORKSPACE_POOL_MAX_MB * 1024 * 1024 },
    }),
    store,
    remoteUrl: (owner, repo) => urls.gitRemote(owner, repo),
    commandTimeoutMs: config.AGENT_COMMAND_TIMEOUT_MS,
    sandbox,
    budgets: {
      perRunMicros: usd(config.BUDGET_MAX_USD_PER_RUN),
      perInstallationMonthMicros: usd(config.BUDGET_MAX_USD_PER_INSTALLATION_MONTH),
      defaultPerRepoMonthMicros: usd(config.BUDGET_DEFAULT_USD_PER_REPO_MONTH),
    },
  };
}

/** One run's model access and workspace, from the server's parts and what the run is about. */
export function runParts(environment: AgentEnvironment, subject: RunSubject): { model: ModelAccess; workspace: RunWorkspace } {
  const { runId, owner, repo, defaultBranch } = subject.target;
  return {
    model: new ModelAccess({
      provider: environment.model,
      ...(environment.modelUnavailable ? { unavailable: environment.modelUnavailable } : {}),
      store: environment.store,
      runId,
      repo: `${owner}/${repo}`,
      budgets: subject.config.budgets,
      ceilings: environment.budgets,
      metrics: environment.metrics,
    }),
    workspace: new RunWorkspace({
      workspaces: environment.workspaces,
      sandbox: environment.sandbox,
      commandTimeoutMs: environment.commandTimeoutMs,
      runId,
      repo: `${owner}/${repo}`,
      remoteUrl: environment.remoteUrl(owner, repo),
      baseBranch: defaultBranch,
      token: () => subject.source.token(),
    }),
  };
}
