import { ProbotOctokit } from "probot";
import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRun } from "../../src/runs/execute-run.js";
import type { Database } from "../../src/store/open.js";
import { workflowTasks } from "../../src/runs/workflow-task.js";
import { type TestDatabase, freshPostgres } from "../helpers/databases.js";
import { type FakeGitHub, fakeGitHub } from "../helpers/fake-github.js";
import { testActions } from "../workflows/helpers.js";

const lines = (...text: string[]): string => `${text.join("\n")}\n`;

/** Polls until `check` gives a value, for state another promise is producing. */
async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

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
  let database: TestDatabase;
  let opened: Database;
  let github: FakeGitHub;

  beforeAll(async () => {
    database = await freshPostgres();
    opened = await database.open();
    github = fakeGitHub();
    github.configFiles.set("main", CONFIG);
  });
  afterAll(async () => {
    github.done();
    await opened.close();
    await database.dispose();
  });

  it("skips the steps that finished, reuses their outputs and retries the one that was running", async () => {
    const store = opened.store;
    const octokit = new ProbotOctokit({ auth: { token: "ghs_test" }, throttle: { enabled: false }, retry: { enabled: false } });
    const deps = (actions: ReturnType<typeof testActions>["actions"]) => ({
      store,
      github: () => Promise.resolve(octokit),
      tasks: workflowTasks({ actions }),
      runUrl: (id: string) => `http://localhost/runs/${id}`,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    const run = await store.createRun({ repo: "Codertocat/Hello-World", installationId: 1, number: 1, kind: "issue", task: "ask", trigger: "command", actor: "Codertocat" });

    // The first worker records two finished steps, then hangs in the third: it is never heard of again.
    const first = testActions();
    void executeRun(run.id, deps(first.actions));
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
    expect(await executeRun(run.id, deps(resumedActions))).toBe("finished");

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
