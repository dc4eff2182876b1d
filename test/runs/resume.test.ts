import { z } from "zod";
import { describe, expect, it } from "vitest";
import { executeRun } from "../../src/runs/execute-run.js";
import { postgresRuns, until } from "../helpers/postgres-runs.js";
import { lines, testActions } from "../workflow/helpers.js";

const CONFIG = lines(
  "version: 1",
  "workflows:",
  "  ask:",
  "    steps:",
  "      - { id: branch, uses: test.create, with: { name: \"ai/{{ issue.number }}\" } }",
  "      - { id: title, uses: test.echo, with: { value: \"{{ issue.title }}\" } }",
  "      - { id: work, uses: test.hang }",
  "      - { id: last, uses: test.echo, with: { value: \"{{ steps.branch.outputs.name }}: {{ steps.title.outputs.value }}\" } }",
);

describe("a run resumed after its worker died", () => {
  const runs = postgresRuns(CONFIG);

  it("skips the steps that finished, reuses their outputs and retries the one that was running", async () => {
    const { store } = runs;
    const run = await store.createRun({ repo: "Codertocat/Hello-World", installationId: 1, number: 1, kind: "issue", task: "ask", trigger: "command", actor: "Codertocat" });

    // The first worker records two finished steps, then hangs in the third: it is never heard of again.
    const first = testActions();
    void executeRun(run.id, runs.deps(first.actions));
    const hung = await until(async () => {
      const current = await store.getRun(run.id);
      return current?.steps.find((s) => s.id === "work" && s.status === "running") ? current : undefined;
    });
    expect(hung.status).toBe("running");
    // The step still to come was recorded pending when the run started.
    expect(hung.steps.map((s) => [s.id, s.status])).toEqual([
      ["branch", "succeeded"],
      ["title", "succeeded"],
      ["work", "running"],
      ["last", "pending"],
    ]);

    // The second worker takes the run over; this time the third step's work finishes.
    const second = testActions();
    const echo = second.actions.get("test.echo")!;
    const resumedActions = second.actions.with([{ ...echo, name: "test.hang", input: z.strictObject({}), run: (input, context) => echo.run({ value: input }, context) }]);
    expect(await executeRun(run.id, runs.deps(resumedActions))).toBe("finished");

    const finished = await store.getRun(run.id);
    expect([finished?.status, finished?.error]).toEqual(["succeeded", undefined]);
    expect(first.callsOf("test.create")).toHaveLength(1);
    expect(second.callsOf("test.create")).toHaveLength(0);
    // The last step reads outputs the first worker produced.
    expect(second.calls.map((c) => c.input)).toEqual([{ value: {} }, { value: "ai/1: Spelling error in the README file" }]);
    expect(finished?.steps.map((s) => [s.id, s.status, s.attempts])).toEqual([
      ["branch", "succeeded", 1],
      ["title", "succeeded", 1],
      ["work", "succeeded", 2],
      ["last", "succeeded", 1],
    ]);
    expect(finished?.steps[0]?.outputs).toEqual({ name: "ai/1" });
  });
});
