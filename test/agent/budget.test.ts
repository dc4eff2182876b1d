import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Budget, BudgetExceeded, DEFAULT_CEILINGS, spendLimits } from "../../src/agent/budget.js";
import { costMicros } from "../../src/integrations/anthropic/prices.js";
import type { ModelProvider, ModelRequest as MessageRequest, ModelResponse as Message } from "../../src/integrations/kinds/model-provider.js";
import type { Database } from "../../src/store/open.js";
import { type TestDatabase, freshPostgres } from "../helpers/databases.js";
import { forgetfulLedger } from "../helpers/ledger.js";

const MODEL = "claude-sonnet-5-5";
const REQUEST: MessageRequest = { model: MODEL, max_tokens: 20_000, messages: [{ role: "user", content: "Review this chunk." }] };
/** What each call costs in fact: $0.243, against a worst case of a little over $0.30. */
const USAGE = { input_tokens: 1_000, output_tokens: 16_000 };
const COST = costMicros(MODEL, { inputTokens: 1_000, outputTokens: 16_000, cacheWriteTokens: 0, cacheReadTokens: 0 });
const month = () => new Date().toISOString().slice(0, 7);

const answer = (): Message =>
  ({
    id: "msg_01",
    type: "message",
    role: "assistant",
    model: MODEL,
    content: [{ type: "text", text: "No findings." }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { ...USAGE, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  }) as unknown as Message;

/** A model that takes a while to answer, so calls overlap; it records what was held while it worked. */
function slowModel(during: () => Promise<void> = () => Promise.resolve(), fail = false): Pick<ModelProvider, "call" | "price"> & { calls: number } {
  const model = {
    calls: 0,
    price: costMicros,
    async call() {
      model.calls++;
      await during();
      await sleep(40);
      if (fail) throw new Error("connection reset");
      return answer();
    },
  };
  return model;
}

describe("budgets held in the database, across parallel calls and runs", () => {
  let testDb: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    testDb = await freshPostgres();
    database = await testDb.open();
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.dispose();
  });

  const newRun = (repo: string, number: number) =>
    database.store.createRun({ repo, installationId: 42, number, kind: "pull_request", task: "review", trigger: "pull_request", actor: "octocat" });
  const budgetFor = (repo: string, runId: string, limits: { run?: number; repoMonth?: number } = {}) =>
    new Budget({
      store: database.store,
      repo,
      runId,
      installationId: 42,
      perRunMicros: limits.run ?? 1_000_000,
      perRepoMonthMicros: limits.repoMonth ?? 200_000_000,
      perInstallationMonthMicros: 1_000_000_000,
      spentMicros: 0,
    });

  it("spends at most a $1.00 run budget over 8 parallel review calls, and never holds more than it", async () => {
    const repo = "octo-org/parallel";
    const run = await newRun(repo, 1);
    const key = `run:${run.id}`;
    let mostHeld = 0;
    const model = slowModel(async () => {
      const counter = (await database.store.budgetCounters([key])).get(key);
      mostHeld = Math.max(mostHeld, (counter?.spentMicros ?? 0) + (counter?.reservedMicros ?? 0));
    });
    const budget = budgetFor(repo, run.id);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => budget.call(model, REQUEST)));

    const spent = (await database.store.usageForMonth(repo, month())).costMicros;
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    console.info(`8 parallel calls, $1.00 budget: ${model.calls} made, $${(spent / 1e6).toFixed(3)} spent, at most $${(mostHeld / 1e6).toFixed(3)} held`);
    expect(spent).toBeLessThanOrEqual(1_000_000);
    expect(mostHeld).toBeLessThanOrEqual(1_000_000);
    // Three worst cases fit; the others waited for them to settle, then found no room for a fourth.
    expect(model.calls).toBe(3);
    expect(spent).toBe(3 * COST);
    expect(refused).toHaveLength(5);
    for (const error of refused) {
      expect(error).toBeInstanceOf(BudgetExceeded);
      expect((error as Error).message).toMatch(/^Stopped before going over the run's budget of \$1\.00 \(budgets\.usd_per_run\): \$0\.73 spent, and the next model call could cost up to \$0\.30\.$/);
    }
    expect((await database.store.budgetCounters([key])).get(key)).toEqual({ spentMicros: 3 * COST, reservedMicros: 0, limitMicros: 1_000_000 });
    expect((await database.store.getRun(run.id))?.costMicros).toBe(3 * COST);
  });

  it("holds the repository's monthly budget across two runs calling at once, as on two workers", async () => {
    const repo = "octo-org/two-runs";
    const [first, second] = [await newRun(repo, 1), await newRun(repo, 2)];
    const model = slowModel();
    const budgets = [budgetFor(repo, first.id, { run: 5_000_000, repoMonth: 1_000_000 }), budgetFor(repo, second.id, { run: 5_000_000, repoMonth: 1_000_000 })];
    const results = await Promise.allSettled(budgets.flatMap((budget) => Array.from({ length: 4 }, () => budget.call(model, REQUEST))));
    const spent = (await database.store.usageForMonth(repo, month())).costMicros;
    expect(spent).toBeLessThanOrEqual(1_000_000);
    expect(results.filter((r) => r.status === "fulfilled").length).toBe(model.calls);
    const refusal = results.find((r) => r.status === "rejected");
    expect(refusal?.status === "rejected" && String(refusal.reason)).toMatch(/the repository's budget of \$1\.00 for \d{4}-\d\d \(budgets\.usd_per_repo_month\): \$0\.\d\d spent this month/);
    // The installation's counter saw every call of both runs, started from the ledger.
    const installation = (await database.store.budgetCounters([`installation:42:${month()}`])).get(`installation:42:${month()}`);
    expect(installation?.reservedMicros).toBe(0);
    expect(installation?.spentMicros).toBe((await database.store.usageForMonth({ installationId: 42 }, month())).costMicros);
  });

  it("releases the whole reservation of a call that failed", async () => {
    const repo = "octo-org/failing";
    const run = await newRun(repo, 1);
    await expect(budgetFor(repo, run.id).call(slowModel(undefined, true), REQUEST)).rejects.toThrow("connection reset");
    expect((await database.store.budgetCounters([`run:${run.id}`, `repo:${repo}:${month()}`])).get(`repo:${repo}:${month()}`)).toMatchObject({ spentMicros: 0, reservedMicros: 0 });
  });

  it("starts a resumed run's counter from what it had spent", async () => {
    const repo = "octo-org/resumed";
    const run = await newRun(repo, 1);
    const resumed = new Budget({ store: database.store, repo, runId: run.id, perRunMicros: 1_000_000, perRepoMonthMicros: 200_000_000, spentMicros: 900_000 });
    await expect(resumed.call(slowModel(), REQUEST)).rejects.toThrow(/run's budget of \$1\.00 \(budgets\.usd_per_run\): \$0\.90 spent/);
  });
});

describe("limits: the repository's settings within the server's ceilings", () => {
  const ledger = forgetfulLedger();
  const stopped = async (budgets: { usd_per_run: number; usd_per_repo_month?: number }, spentMicros = 0) => {
    const limits = spendLimits(budgets, { ...DEFAULT_CEILINGS, defaultPerRepoMonthMicros: 100_000 });
    const budget = new Budget({ store: ledger, repo: "acme/widgets", runId: `run-${Math.random()}`, installationId: 7, ...limits, spentMicros });
    return budget.call(slowModel(), REQUEST).then(
      () => "called",
      (error: Error) => error.message,
    );
  };

  it("takes the lower of the repository's budget and the server's ceiling, and says which stopped the run", () => {
    expect(spendLimits({ usd_per_run: 50 }, DEFAULT_CEILINGS)).toMatchObject({ perRunMicros: 20_000_000, perRepoMonthMicros: 200_000_000, perInstallationMonthMicros: 1_000_000_000 });
    expect(spendLimits({ usd_per_run: 2, usd_per_repo_month: 5000 }, DEFAULT_CEILINGS)).toMatchObject({ perRunMicros: 2_000_000, perRepoMonthMicros: 1_000_000_000 });
  });

  it("names the server's ceiling when it is below the repository's setting", async () => {
    const limits = spendLimits({ usd_per_run: 50 }, { ...DEFAULT_CEILINGS, perRunMicros: 200_000 });
    const budget = new Budget({ store: ledger, repo: "acme/widgets", runId: "run-ceiling", ...limits, spentMicros: 0 });
    await expect(budget.call(slowModel(), REQUEST)).rejects.toThrow(
      "Stopped before going over the run's budget of $0.20 (the server's ceiling for a run, BUDGET_MAX_USD_PER_RUN, below the repository's budgets.usd_per_run of $50.00): $0.00 spent, and the next model call could cost up to $0.30.",
    );
  });

  it("names the server's default monthly budget when the repository sets none", async () => {
    expect(await stopped({ usd_per_run: 5 })).toBe(
      `Stopped before going over the repository's budget of $0.10 for ${month()} (the server's default, BUDGET_DEFAULT_USD_PER_REPO_MONTH, as budgets.usd_per_repo_month is not set): $0.00 spent this month, and the next model call could cost up to $0.30.`,
    );
    expect(await stopped({ usd_per_run: 5, usd_per_repo_month: 1 })).toBe("called");
  });

  it("holds every run to the installation's monthly ceiling", async () => {
    const limits = spendLimits({ usd_per_run: 5, usd_per_repo_month: 100 }, { ...DEFAULT_CEILINGS, perInstallationMonthMicros: 200_000 });
    const budget = new Budget({ store: ledger, repo: "acme/widgets", runId: "run-installation", installationId: 8, ...limits, perRepoMonthMicros: 100_000_000, spentMicros: 0 });
    await expect(budget.call(slowModel(), REQUEST)).rejects.toThrow(
      `Stopped before going over the installation's budget of $0.20 for ${month()} (the server's ceiling for one installation's month, BUDGET_MAX_USD_PER_INSTALLATION_MONTH, for all its repositories together): $0.00 spent this month, and the next model call could cost up to $0.30.`,
    );
  });
});
