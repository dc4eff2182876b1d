import { describe, expect, it } from "vitest";
import type { RunStep } from "../../src/core/run.js";
import { demoWorkflow, memoryHooks, run, testActions } from "./helpers.js";

/**
 * What the engine records for people to read: the steps to come, pending, in one write before the
 * first starts (so progress is counted over the whole workflow), and why a skipped step's `if:` was
 * false.
 */

const YAML = demoWorkflow(
  "      - { id: first, uses: test.echo, with: { value: false } }",
  "      - id: checks",
  "        name: Checks",
  "        parallel:",
  "          - { id: lint, uses: test.echo, with: { value: linted } }",
  "          - { id: types, uses: test.echo, with: { value: typed } }",
  "      - { id: unchanged, if: steps.first.outputs.value, uses: test.echo, with: { value: x } }",
  "      - { id: untested, if: \"{{ steps.lint.outputs.value and config.agent.commands.test }}\", uses: test.echo, with: { value: x } }",
  "      - { id: compared, if: \"steps.lint.outputs.value == 'typed'\", uses: test.echo, with: { value: x } }",
  "    post:",
  "      always:",
  "        - { id: notify, if: config.notify.slack, uses: test.echo, with: { value: sent } }",
  "      on_success:",
  "        - { id: celebrate, uses: test.echo, with: { value: done } }",
);

describe("steps as people read them", () => {
  it("records the steps to come as pending in one write, groups with their steps, then the post steps that always run", async () => {
    const { actions } = testActions();
    const declared: RunStep[][] = [];
    const hooks = { ...memoryHooks(), declare: async (steps: RunStep[]) => void declared.push(steps) };
    expect((await run(YAML, "demo", actions, hooks)).status).toBe("succeeded");
    expect(declared).toHaveLength(1);
    expect(declared[0]!.map((s) => [s.id, s.status, s.name ?? null])).toEqual([
      ["first", "pending", null],
      ["checks", "pending", "Checks"],
      ["lint", "pending", null],
      ["types", "pending", null],
      ["unchanged", "pending", null],
      ["untested", "pending", null],
      ["compared", "pending", null],
      ["notify", "pending", null],
    ]);
  });

  it("declares only what an earlier attempt did not record", async () => {
    const { actions } = testActions();
    const declared: RunStep[][] = [];
    const previous: RunStep[] = [
      { id: "first", status: "succeeded", attempts: 1, outputs: { value: false } },
      { id: "checks", status: "pending", attempts: 0 },
    ];
    const hooks = { ...memoryHooks(previous), declare: async (steps: RunStep[]) => void declared.push(steps) };
    await run(YAML, "demo", actions, hooks);
    expect(declared.map((steps) => steps.map((s) => s.id))).toEqual([["lint", "types", "unchanged", "untested", "compared", "notify"]]);
  });

  it("says which name of a condition did not hold, or quotes the condition", async () => {
    const { actions } = testActions();
    const hooks = memoryHooks();
    await run(YAML, "demo", actions, hooks);
    const notes = Object.fromEntries([...hooks.steps.values()].filter((s) => s.status === "skipped").map((s) => [s.id, s.note]));
    expect(notes).toEqual({
      unchanged: "`steps.first.outputs.value` is false",
      untested: "`agent.commands.test` is not set in `.github/ai-agent.yml`",
      compared: "its condition `steps.lint.outputs.value == 'typed'` was false",
      notify: "`notify.slack` is not set in `.github/ai-agent.yml`",
    });
    expect(hooks.steps.get("celebrate")?.status).toBe("succeeded");
  });
});
