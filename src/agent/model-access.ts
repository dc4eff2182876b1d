import type { RepoConfig } from "../config/repo-config-schema.js";
import { UserFacingError } from "../core/errors.js";
import type { MetricsRecorder } from "../core/metrics.js";
import type { ModelProvider, ModelRequest, ModelResponse } from "../integrations/kinds/model-provider.js";
import { Budget, type BudgetCeilings, DEFAULT_CEILINGS, type LedgerStore, spendLimits } from "./budget.js";
import type { RunSubject } from "./subject.js";

/**
 * A run's access to the model: the server's model provider, and the budget every call of the run
 * is held to (made on first use, from the run's spend so far). What `ai.plan`, `ai.implement`,
 * `ai.review` and `ai.ask` share; none of them reaches the provider around the budget.
 */

export interface ModelAccessOptions {
  /** Absent when the server has no model provider set up; `unavailable` says why. */
  provider: ModelProvider | undefined;
  unavailable?: string;
  store: LedgerStore;
  runId: string;
  /** `owner/repo`, whose monthly budget the run's calls count against. */
  repo: string;
  /** The repository's settings, held within the server's ceilings. */
  budgets: RepoConfig["budgets"];
  /** The server's ceilings (BUDGET_* variables); DEFAULT_CEILINGS when absent. */
  ceilings?: BudgetCeilings | undefined;
  /** Counts the tokens and cost of every call. */
  metrics?: Pick<MetricsRecorder, "modelUsage"> | undefined;
}

const NO_PROVIDER = "The coding agent needs a model provider, and none is set up on this server.";

export class ModelAccess {
  private budgetSlot?: Promise<Budget>;

  constructor(private readonly options: ModelAccessOptions) {}

  get provider(): ModelProvider {
    if (!this.options.provider) throw new UserFacingError(this.options.unavailable ?? NO_PROVIDER);
    return this.options.provider;
  }

  /** The run's budget; its limits are read once per run and process. */
  budget(): Promise<Budget> {
    this.budgetSlot ??= this.makeBudget().catch((error: unknown) => {
      this.budgetSlot = undefined;
      throw error;
    });
    return this.budgetSlot;
  }

  /** One model call, within the run's budget. */
  async call(request: ModelRequest, signal?: AbortSignal): Promise<ModelResponse> {
    const provider = this.provider;
    return (await this.budget()).call(provider, request, signal);
  }

  /** The provider's token count (free: no budget is held for it). */
  countTokens(model: string, text: string): Promise<number | undefined> {
    return this.provider.countTokens(model, text);
  }

  private async makeBudget(): Promise<Budget> {
    const { store, runId, repo } = this.options;
    const run = await store.getRun(runId);
    // The repository's settings, within the server's ceilings; the installation's applies to every run.
    const limits = spendLimits(this.options.budgets, this.options.ceilings ?? DEFAULT_CEILINGS);
    return new Budget({
      store,
      repo,
      runId,
      ...(run?.installationId ? { installationId: run.installationId } : {}),
      perRunMicros: limits.perRunMicros,
      perRepoMonthMicros: limits.perRepoMonthMicros,
      perInstallationMonthMicros: limits.perInstallationMonthMicros,
      sources: limits.sources,
      spentMicros: run?.costMicros ?? 0,
      metrics: this.options.metrics,
    });
  }
}

/** What a step that only talks to the model works with (`ai.review`, `ai.ask`): the run's subject and model access. */
export interface ModelRun extends RunSubject {
  model: ModelAccess;
}
