import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Budget } from "../../src/agent/budget.js";
import { MAX_SCHEMA_FAILURES, runLoop } from "../../src/agent/loop.js";
import { AnthropicClient } from "../../src/integrations/anthropic/client.js";
import { PathPolicy } from "../../src/workspace/paths.js";
import { planSchema } from "../../src/agent/plan.js";
import { ToolSet } from "../../src/agent/tools/index.js";
import { UserFacingError } from "../../src/core/errors.js";
import { type FakeAnthropic, type ScriptedMessage, startFakeAnthropic } from "../helpers/fake-anthropic.js";
import { forgetfulLedger } from "../helpers/ledger.js";

/**
 * Models send tool calls that break their schema: a plan's steps as strings, a missing field, a
 * tool that does not exist. Each is answered with what was wrong and the loop goes on; a model that
 * keeps at it ends the run with a message a person can read, never an "internal error".
 */

const store = forgetfulLedger();

const tool = (name: string, input: Record<string, unknown>): ScriptedMessage => ({ content: [{ type: "tool_use", name, input }] });
const goodPlan = tool("submit_plan", { summary: "Fix it.", steps: [{ title: "Fix the typo" }], estimate: "minutes" });
const stringSteps = tool("submit_plan", { summary: "Fix it.", steps: ["Fix the typo", "Test it"], estimate: "minutes" });

interface SentResult {
  type: string;
  tool_use_id?: string;
  content?: string;
  is_error?: boolean;
}

describe("tool calls that break their schema", () => {
  let root: string;
  let fake: FakeAnthropic;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "ai-agent-schema-"));
    await writeFile(path.join(root, "a.txt"), "alpha\n");
    execFileSync("git", ["init", "-q"], { cwd: root });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));
  afterEach(async () => fake?.close());

  /** The planner's tools: its answer is the finish tool, parsed with the plan's own schema. */
  const planTools = (submitted: unknown[] = []) =>
    new ToolSet({
      policy: new PathPolicy(root, { protectedPaths: [], allowProtected: false }),
      readOnly: true,
      finishTool: {
        name: "submit_plan",
        description: "Submit the plan.",
        input_schema: { type: "object", properties: { summary: { type: "string" }, steps: { type: "array" } }, required: ["summary", "steps"] },
        parse(value) {
          const plan = planSchema.parse(value);
          submitted.push(plan);
          return { summary: plan.summary };
        },
      },
    });

  const loop = (tools: ToolSet) =>
    runLoop({
      provider: new AnthropicClient({ apiKey: "sk-ant-test", baseURL: fake.url, maxRetries: 0 }),
      model: "claude-sonnet-5-5",
      maxTokens: 1000,
      maxTurns: 20,
      system: "You are a test agent.",
      context: "Repository context.",
      task: "Plan it.",
      tools,
      budget: new Budget({ store, repo: "acme/widgets", runId: "run-1", perRunMicros: 5_000_000, perRepoMonthMicros: 200_000_000, spentMicros: 0 }),
    });

  /** The tool results the request at `index` sent back. */
  const resultsSent = (index: number): SentResult[] => {
    const body = JSON.parse(fake.requests[index]!.raw) as { messages: { role: string; content: SentResult[] }[] };
    return body.messages.at(-1)!.content.filter((block) => block.type === "tool_result");
  };

  it("answers a plan whose steps are strings with what was wrong, and takes the corrected plan", async () => {
    fake = await startFakeAnthropic([stringSteps, goodPlan]);
    const submitted: unknown[] = [];
    expect(await loop(planTools(submitted))).toMatchObject({ finished: true, summary: "Fix it.", turns: 2 });
    expect(submitted).toEqual([{ summary: "Fix it.", steps: [{ title: "Fix the typo", details: "" }], files: [], risks: [], questions: [], estimate: "minutes" }]);
    expect(resultsSent(1)).toEqual([
      expect.objectContaining({
        is_error: true,
        content: "invalid input for submit_plan: steps[0]: expected object, received string; steps[1]: expected object, received string",
      }),
    ]);
  });

  it("says which field is missing", async () => {
    fake = await startFakeAnthropic([tool("submit_plan", { steps: [{ title: "x" }] }), goodPlan]);
    await loop(planTools());
    expect(resultsSent(1)[0]).toMatchObject({ is_error: true, content: "invalid input for submit_plan: summary: missing (expected string)" });
  });

  it("answers a call to a tool that does not exist, naming the tools there are", async () => {
    fake = await startFakeAnthropic([tool("deploy", { to: "production" }), goodPlan]);
    expect(await loop(planTools())).toMatchObject({ finished: true });
    expect(resultsSent(1)[0]).toMatchObject({ is_error: true, content: "there is no tool named deploy; the tools are view, find_files, search, submit_plan" });
  });

  it(`ends the run with a clear message after ${MAX_SCHEMA_FAILURES} turns of broken calls in a row`, async () => {
    fake = await startFakeAnthropic([stringSteps, tool("find_files", { pattern: 7 }), stringSteps, goodPlan]);
    const run = loop(planTools());
    await expect(run).rejects.toBeInstanceOf(UserFacingError);
    await expect(run).rejects.toThrow("The model's tool calls kept failing their schema: invalid input for submit_plan: steps[0]: expected object, received string; steps[1]: expected object, received string");
    expect(fake.requests).toHaveLength(MAX_SCHEMA_FAILURES);
    expect(resultsSent(2)[0]!.content).toBe("invalid input for find_files: pattern: expected string, received number");
  });

  it("starts counting again after a call that fits its schema", async () => {
    fake = await startFakeAnthropic([stringSteps, stringSteps, tool("find_files", { pattern: "*.txt" }), stringSteps, stringSteps, goodPlan]);
    expect(await loop(planTools())).toMatchObject({ finished: true, turns: 6 });
  });

  it("sends tool results with NUL bytes and broken encoding repaired", async () => {
    fake = await startFakeAnthropic([tool("null\0byte\uD800", {}), goodPlan]);
    await loop(planTools());
    const raw = fake.requests[1]!.raw;
    expect(raw).toContain("there is no tool named null\\\\u0000byte\uFFFD");
    expect(raw).not.toMatch(/(?<!\\)\\u0000|\\ud800/i);
  });
});
