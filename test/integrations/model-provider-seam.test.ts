import { rm } from "node:fs/promises";
import type { IssueCommentCreatedEvent } from "@octokit/webhooks-types";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Budget } from "../../src/agent/budget.js";
import { agentEnvironment, connectModelProvider } from "../../src/agent/environment.js";
import { loadConfig } from "../../src/config/env.js";
import { formatUsd } from "../../src/core/format.js";
import { integrations } from "../../src/integrations/registry.js";
import { NoSandbox } from "../../src/sandbox/index.js";
import { workflowTasks } from "../../src/runs/workflow-task.js";
import { type TestApp, WEBHOOK_SECRET, eventually, startTestApp } from "../helpers/app-server.js";
import { finishedRun } from "../helpers/agent-app.js";
import { type FakeGitHub, fakeGitHub } from "../helpers/fake-github.js";
import { reachableTempDir } from "../helpers/sandbox.js";
import { deliver, examplePayload } from "../helpers/webhooks.js";
import { type FlatRateModel, flatRate } from "./fixtures/flat-rate/index.js";

/**
 * The model provider is a seam: a provider that is only its folder (./fixtures/flat-rate/) and an
 * entry in the list the server chooses from answers `/ai ask` end to end — the webhook, the run,
 * the reply — and its own price is what the budget holds and the ledger records.
 */

const REPO = "Codertocat/Hello-World";
const RATE = 3;
const month = () => new Date().toISOString().slice(0, 7);

describe("a model provider from its own folder", () => {
  let app: TestApp;
  let github: FakeGitHub;
  let model: FlatRateModel;
  let dir: string;

  beforeAll(async () => {
    dir = await reachableTempDir("ai-agent-provider-");
    // The server's environment as it is parsed at boot, with the provider's own variables in it.
    const config = { ...loadConfig({ DATA_DIR: dir }), MODEL_PROVIDER: flatRate.id, ...flatRate.env.parse({ FLAT_RATE_MICROS_PER_TOKEN: String(RATE) }) };
    const registry = [...integrations.values(), flatRate];
    app = await startTestApp((store) => {
      const environment = agentEnvironment(config, store, new NoSandbox("not needed to answer a question (test)", "deny"), undefined, registry);
      model = environment.model as FlatRateModel;
      return workflowTasks({ agent: environment, botLogin: () => Promise.resolve("ai-agent[bot]") });
    });
  });
  afterAll(async () => {
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    github = fakeGitHub();
    github.permissions.set("Codertocat", "write");
  });
  afterEach(() => github.done());

  const ask = (number: number, question: string) => {
    const payload = examplePayload<IssueCommentCreatedEvent>("issue_comment", "created");
    payload.issue.number = number;
    payload.comment.body = `/ai ask ${question}`;
    return deliver(app.webhookUrl, "issue_comment", payload, WEBHOOK_SECRET);
  };

  it("answers /ai ask through it, and the run costs what it charges", async () => {
    await ask(7, "what could break?");
    const reply = await eventually(async () => github.comments().find((c) => c.method === "POST" && c.body.startsWith("> what could break?"))?.body, 30_000);
    expect(reply).toBe("> what could break?\n\nFlat-rate answer to: Question from @Codertocat: what could break?");
    expect(model.requests).toHaveLength(1);
    const request = model.requests[0]!;
    expect(JSON.stringify(request)).toContain("Issue #7");

    const run = await finishedRun(app, REPO, 7);
    expect(run.status).toBe("succeeded");
    const input = Math.ceil(JSON.stringify(request).length / 4);
    const output = Math.ceil("Flat-rate answer to: Question from @Codertocat: what could break?".length / 4);
    expect(run.costMicros).toBe((input + output) * RATE);
    const ledger = await app.database.store.usageForMonth(REPO, month());
    expect(ledger).toMatchObject({ costMicros: (input + output) * RATE, inputTokens: input, outputTokens: output, entries: 1 });
  });

  it("is held to the run's budget at its own prices", async () => {
    github.configFiles.set("master", "version: 1\nbudgets:\n  usd_per_run: 0.001\n");
    github.configFiles.set("main", "version: 1\nbudgets:\n  usd_per_run: 0.001\n");
    const asked = model.requests.length;
    await ask(8, "what could break?");
    const run = await finishedRun(app, REPO, 8);
    expect(run.status).toBe("failed");
    expect(model.requests).toHaveLength(asked);
    // The same question on an issue whose number is as long: the same worst case, at 3 micro-dollars a token.
    const same = model.requests[0]!;
    const worst = Budget.worstCase(model, same.model, JSON.stringify(same).length, same.max_tokens);
    expect(worst).toBe(Math.ceil((JSON.stringify(same).length / 3 + same.max_tokens) * RATE));
    expect(run.error).toContain(`Stopped before going over the run's budget of $0.001 (budgets.usd_per_run): $0.00 spent, and the next model call could cost up to ${formatUsd(worst)}.`);
  });
});

describe("choosing the model provider", () => {
  it("is Anthropic unless MODEL_PROVIDER names another, which must be in the registry", () => {
    expect(loadConfig({}).MODEL_PROVIDER).toBe("anthropic");
    expect(() => loadConfig({ MODEL_PROVIDER: "flat-rate" })).toThrow("MODEL_PROVIDER: expected the id of a model provider: anthropic");
    expect(connectModelProvider({ MODEL_PROVIDER: "flat-rate" }, [...integrations.values(), flatRate]).provider?.id).toBe("flat-rate");
  });

  it("says which variable is missing when the chosen provider is not set up", () => {
    const chosen = connectModelProvider(loadConfig({ ANTHROPIC_API_KEY: "" }));
    expect(chosen.provider).toBeUndefined();
    expect(chosen.unavailable).toBe("The coding agent needs ANTHROPIC_API_KEY, and it is not set on this server.");
    expect(connectModelProvider(loadConfig({ ANTHROPIC_API_KEY: "sk-ant-set" })).provider?.id).toBe("anthropic");
  });
});
