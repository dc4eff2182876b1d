import type { BudgetReservation, Store } from "../store/types.js";
import type { RepoConfig } from "../config/repo-config-schema.js";
import { UserFacingError } from "../core/errors.js";
import type { MetricsRecorder } from "../core/metrics.js";
import { formatUsd, microsFromUsd as usd } from "../core/format.js";
import { type ModelProvider, type ModelRequest, type ModelResponse, type TokenUsage, usageOf } from "../integrations/kinds/model-provider.js";

/**
 * The run's spending limits — its own budget, the repository's monthly one, and the installation's
 * monthly ceiling — held in the database before every model call. The call's worst case is
 * reserved on every limit at once, atomically (Store.reserveBudget), and settled to the actual
 * cost when the response comes: parallel calls of one run, and runs of one repository on any
 * number of workers, cannot together pass a limit that each alone would pass. (Checking the ledger
 * first let 8 parallel review calls all pass a $1.00 budget and spend $4.20.) A call that could
 * take any limit past itself is not made; the run stops with the figures. Every response's usage
 * goes to the ledger and onto the run as it comes.
 */

export class BudgetExceeded extends UserFacingError {
  override name = "BudgetExceeded";

  /** The limit that would be passed, in words: "the run's budget of $5.00 (budgets.usd_per_run)". */
  constructor(
    message: string,
    readonly limit: string,
  ) {
    super(message);
  }
}

/** The part of the store spending needs: the usage ledger, the budget counters and the run's cost. */
export type LedgerStore = Pick<Store, "getRun" | "addUsage" | "usageForMonth" | "updateRun" | "reserveBudget" | "settleBudget">;

/** The server's word on spending (BUDGET_* variables): ceilings no repository can pass, and its default. */
export interface BudgetCeilings {
  perRunMicros: number;
  perInstallationMonthMicros: number;
  /** For a repository whose config sets no `budgets.usd_per_repo_month`. */
  defaultPerRepoMonthMicros: number;
}

/** What the server's variables default to; also what the CLI, which has no server, holds to. */
export const DEFAULT_CEILINGS: BudgetCeilings = { perRunMicros: usd(20), perInstallationMonthMicros: usd(1000), defaultPerRepoMonthMicros: usd(200) };

/** The limits a run holds to, each with what set it, for the message that stops it. */
export interface SpendLimits {
  perRunMicros: number;
  perRepoMonthMicros: number;
  perInstallationMonthMicros: number;
  sources: { run: string; repoMonth: string; installationMonth: string };
}

/** The lower of the repository's setting and the server's ceiling, and the words that say which. */
export function spendLimits(budgets: RepoConfig["budgets"], ceilings: BudgetCeilings): SpendLimits {
  const perRun = usd(budgets.usd_per_run);
  const repoMonth = budgets.usd_per_repo_month === undefined ? undefined : usd(budgets.usd_per_repo_month);
  const wanted = repoMonth ?? ceilings.defaultPerRepoMonthMicros;
  const installationCeiling = "the server's ceiling for one installation's month, BUDGET_MAX_USD_PER_INSTALLATION_MONTH";
  return {
    perRunMicros: Math.min(perRun, ceilings.perRunMicros),
    perRepoMonthMicros: Math.min(wanted, ceilings.perInstallationMonthMicros),
    perInstallationMonthMicros: ceilings.perInstallationMonthMicros,
    sources: {
      run:
        perRun <= ceilings.perRunMicros
          ? "budgets.usd_per_run"
          : `the server's ceiling for a run, BUDGET_MAX_USD_PER_RUN, below the repository's budgets.usd_per_run of ${formatUsd(perRun)}`,
      repoMonth:
        wanted > ceilings.perInstallationMonthMicros
          ? `${installationCeiling}, below the repository's ${repoMonth === undefined ? "default" : "budgets.usd_per_repo_month"} of ${formatUsd(wanted)}`
          : repoMonth === undefined
            ? "the server's default, BUDGET_DEFAULT_USD_PER_REPO_MONTH, as budgets.usd_per_repo_month is not set"
            : "budgets.usd_per_repo_month",
      installationMonth: `${installationCeiling}, for all its repositories together`,
    },
  };
}

export interface BudgetOptions {
  store: LedgerStore;
  repo: string;
  runId: string;
  /** The run's installation, whose monthly ceiling every run of its repositories shares. */
  installationId?: number;
  /** Limits in micro-dollars. */
  perRunMicros: number;
  perRepoMonthMicros: number;
  perInstallationMonthMicros?: number;
  /** What set each limit, for the message; by default the repository's settings. */
  sources?: Partial<SpendLimits["sources"]>;
  /** What the run had spent before this agent started (earlier steps, or another worker). */
  spentMicros: number;
  now?: () => Date;
  /** Counts each response's tokens and cost. */
  metrics?: Pick<MetricsRecorder, "modelUsage"> | undefined;
}

/** One budget counter a call reserves on, and how to read its spend from the ledger if it is new. */
interface Scope {
  key: string;
  limitMicros: number;
  initial: () => Promise<number>;
  describe: (limit: string, month: string) => string;
}

export class Budget {
  private spent: number;
  /** Counters this budget has reserved on: they exist, so their seed need not be read again. */
  private readonly seeded = new Set<string>();
  /** Calls of this budget in progress, each settled when its promise resolves. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: BudgetOptions) {
    this.spent = options.spentMicros;
  }

  get spentMicros(): number {
    return this.spent;
  }

  /**
   * The run's own limit, what this budget has seen spent of it, and the limit in words; what a
   * caller plans its calls against before making them (the monthly limits are held at each call).
   */
  runLimit(): { limitMicros: number; spentMicros: number; describe: string } {
    const run = this.scopes("").find((scope) => scope.key.startsWith("run:"))!;
    return { limitMicros: run.limitMicros, spentMicros: this.spent, describe: run.describe(formatUsd(run.limitMicros), "") };
  }

  /**
   * The most the next call could cost: its whole prompt at the price of writing it to the cache
   * (the dearer of the two input prices; three characters to a token), plus every output token,
   * at the provider's prices.
   */
  static worstCase(provider: Pick<ModelProvider, "price">, model: string, promptCharacters: number, maxTokens: number): number {
    const prompt = promptCharacters / 3;
    const none = { inputTokens: 0, outputTokens: maxTokens, cacheWriteTokens: 0, cacheReadTokens: 0 };
    return Math.max(provider.price(model, { ...none, inputTokens: prompt }), provider.price(model, { ...none, cacheWriteTokens: prompt }));
  }

  /** One model call within the budgets: its worst case reserved before, settled to its cost after. */
  async call(provider: Pick<ModelProvider, "call" | "price">, request: ModelRequest, signal?: AbortSignal): Promise<ModelResponse> {
    const worst = Budget.worstCase(provider, request.model, JSON.stringify(request).length, request.max_tokens);
    const keys = await this.reserve(worst);
    let settled!: () => void;
    const done = new Promise<void>((resolve) => (settled = resolve));
    this.inFlight.add(done);
    const release = async (actual: number) => {
      try {
        await this.options.store.settleBudget(keys, worst, actual);
      } finally {
        this.inFlight.delete(done);
        settled();
      }
    };
    let response: ModelResponse;
    try {
      response = await provider.call(request, signal);
    } catch (error) {
      // No answer, nothing to pay for: the whole reservation is free again. A failure to release
      // leaves it held, which errs on the side of stopping early; the call's own error is the news.
      await release(0).catch(() => undefined);
      throw error;
    }
    const usage = usageOf(response);
    const cost = provider.price(request.model, usage);
    try {
      await this.record(request.model, usage, cost);
    } finally {
      await release(cost);
    }
    return response;
  }

  /** Records one response's usage and cost in the ledger and on the run. */
  private async record(model: string, usage: TokenUsage, cost: number): Promise<void> {
    this.spent += cost;
    const { store, repo, runId, installationId } = this.options;
    // Counted before the writes: the tokens were spent whether or not the ledger takes them.
    this.options.metrics?.modelUsage({ ...usage, costMicros: cost });
    await store.addUsage({ runId, repo, ...(installationId ? { installationId } : {}), model, ...usage, costMicros: cost });
    await store.updateRun(runId, { costMicros: this.spent });
  }

  /** Holds `amount` on every scope, or throws BudgetExceeded; resolves to the counters held on. */
  private async reserve(amount: number): Promise<string[]> {
    const month = (this.options.now?.() ?? new Date()).toISOString().slice(0, 7);
    const scopes = this.scopes(month);
    const reservations: BudgetReservation[] = await Promise.all(
      scopes.map(async (scope) => ({
        key: scope.key,
        limitMicros: scope.limitMicros,
        amountMicros: amount,
        ...(this.seeded.has(scope.key) ? {} : { initialMicros: await scope.initial() }),
      })),
    );
    for (;;) {
      const result = await this.options.store.reserveBudget(reservations);
      if (result.ok) {
        for (const scope of scopes) this.seeded.add(scope.key);
        return scopes.map((scope) => scope.key);
      }
      const scope = scopes.find((s) => s.key === result.key) ?? scopes[0]!;
      // Refused only for what this run's other calls hold: wait for one to settle, then ask again.
      if (result.spentMicros + amount <= scope.limitMicros && this.inFlight.size > 0) {
        await Promise.race(this.inFlight);
        continue;
      }
      const held = result.reservedMicros > 0 ? ` and ${formatUsd(result.reservedMicros)} held by model calls in progress` : "";
      const limit = scope.describe(formatUsd(scope.limitMicros), month);
      throw new BudgetExceeded(
        `Stopped before going over ${limit}: ${formatUsd(result.spentMicros)} spent${
          scope.key.startsWith("run:") ? "" : " this month"
        }${held}, and the next model call could cost up to ${formatUsd(amount)}.`,
        limit,
      );
    }
  }

  private scopes(month: string): Scope[] {
    const { store, repo, runId, installationId, perRunMicros, perRepoMonthMicros, perInstallationMonthMicros, sources = {} } = this.options;
    const scopes: Scope[] = [
      {
        key: `run:${runId}`,
        limitMicros: perRunMicros,
        initial: () => Promise.resolve(this.options.spentMicros),
        describe: (limit) => `the run's budget of ${limit} (${sources.run ?? "budgets.usd_per_run"})`,
      },
      {
        key: `repo:${repo}:${month}`,
        limitMicros: perRepoMonthMicros,
        initial: async () => (await store.usageForMonth(repo, month)).costMicros,
        describe: (limit) => `the repository's budget of ${limit} for ${month} (${sources.repoMonth ?? "budgets.usd_per_repo_month"})`,
      },
    ];
    if (installationId !== undefined && perInstallationMonthMicros !== undefined) {
      scopes.push({
        key: `installation:${installationId}:${month}`,
        limitMicros: perInstallationMonthMicros,
        initial: async () => (await store.usageForMonth({ installationId }, month)).costMicros,
        describe: (limit) => `the installation's budget of ${limit} for ${month} (${sources.installationMonth ?? "BUDGET_MAX_USD_PER_INSTALLATION_MONTH"})`,
      });
    }
    return scopes;
  }
}
