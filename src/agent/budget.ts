import type { Store } from "../store/types.js";
import { UserFacingError } from "../runs/tasks.js";
import type { Message, MessageRequest, ModelClient } from "./model.js";
import { type TokenUsage, costMicros, formatUsd, priceOf } from "./pricing.js";

/**
 * The run's two spending limits, checked before every model call: the run's own budget and the
 * repository's monthly one. A call that could take either past its limit is not made; the run
 * stops with the figures. Every response's usage goes to the ledger and onto the run as it comes.
 */

export class BudgetExceeded extends UserFacingError {
  override name = "BudgetExceeded";
}

/** The part of the store spending needs: the usage ledger and the run's cost. */
export type LedgerStore = Pick<Store, "getRun" | "addUsage" | "usageForMonth" | "updateRun">;

export interface BudgetOptions {
  store: LedgerStore;
  repo: string;
  runId: string;
  /** Limits in micro-dollars. */
  perRunMicros: number;
  perRepoMonthMicros: number;
  /** What the run had spent before this agent started (earlier steps). */
  spentMicros: number;
  now?: () => Date;
}

export class Budget {
  private spent: number;

  constructor(private readonly options: BudgetOptions) {
    this.spent = options.spentMicros;
  }

  get spentMicros(): number {
    return this.spent;
  }

  /** The most the next call could cost: its whole prompt at the input price, plus every output token. */
  static worstCase(model: string, promptCharacters: number, maxTokens: number): number {
    const price = priceOf(model);
    return Math.ceil((promptCharacters / 3) * price.input + maxTokens * price.output);
  }

  async check(nextCallMicros: number): Promise<void> {
    const { perRunMicros, perRepoMonthMicros, store, repo } = this.options;
    if (this.spent + nextCallMicros > perRunMicros) {
      throw new BudgetExceeded(
        `Stopped before going over the run's budget of ${formatUsd(perRunMicros)} (budgets.usd_per_run): ${formatUsd(this.spent)} spent, and the next model call could cost up to ${formatUsd(nextCallMicros)}.`,
      );
    }
    const month = (this.options.now?.() ?? new Date()).toISOString().slice(0, 7);
    const used = (await store.usageForMonth(repo, month)).costMicros;
    if (used + nextCallMicros > perRepoMonthMicros) {
      throw new BudgetExceeded(
        `Stopped before going over the repository's budget of ${formatUsd(perRepoMonthMicros)} for ${month} (budgets.usd_per_repo_month): ${formatUsd(used)} spent this month, and the next model call could cost up to ${formatUsd(nextCallMicros)}.`,
      );
    }
  }

  /** One model call within the budgets: checked before, its usage recorded after. */
  async call(client: ModelClient, request: MessageRequest, signal?: AbortSignal): Promise<Message> {
    await this.check(Budget.worstCase(request.model, JSON.stringify(request).length, request.max_tokens));
    const response = await client.call(request, signal);
    await this.record(request.model, {
      inputTokens: response.usage.input_tokens,
      outputTokens: response.usage.output_tokens,
      cacheWriteTokens: response.usage.cache_creation_input_tokens ?? 0,
      cacheReadTokens: response.usage.cache_read_input_tokens ?? 0,
    });
    return response;
  }

  /** Records one response's usage in the ledger and on the run; returns its cost. */
  async record(model: string, usage: TokenUsage): Promise<number> {
    const cost = costMicros(model, usage);
    this.spent += cost;
    const { store, repo, runId } = this.options;
    await store.addUsage({ runId, repo, model, ...usage, costMicros: cost });
    await store.updateRun(runId, { costMicros: this.spent });
    return cost;
  }
}
