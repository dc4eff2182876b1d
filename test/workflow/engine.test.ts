import { describe, expect, it } from "vitest";
import { RunStopped, UserFacingError } from "../../src/core/errors.js";
import { demoWorkflow, lines, memoryHooks, run, testActions } from "./helpers.js";

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

describe("runWorkflow", () => {
  it("runs steps in order and passes outputs through templates", async () => {
    const { actions, callsOf } = testActions();
    const hooks = memoryHooks();
    const yaml = demoWorkflow(
      "      - id: first",
      "        uses: test.echo",
      "        with: { value: \"{{ issue.title | upcase }}\" }",
      "      - id: second",
      "        uses: test.echo",
      "        with: { value: \"got {{ steps.first.outputs.value }} for #{{ issue.number }}\" }",
      "      - id: skipped",
      "        if: steps.first.outputs.value == 'nothing'",
      "        uses: test.echo",
      "        with: { value: never }",
      "    outputs:",
      "      said: \"{{ steps.second.outputs.value }}\"",
    );
    const result = await run(yaml, "demo", actions, hooks);
    expect(result).toEqual({ status: "succeeded", outputs: { said: "got ADD A GREETING for #7" } });
    expect(callsOf("test.echo").map((c) => c.input)).toEqual([{ value: "ADD A GREETING" }, { value: "got ADD A GREETING for #7" }]);
    expect([...hooks.steps.values()].map((s) => [s.id, s.status, s.attempts])).toEqual([
      ["first", "succeeded", 1],
      ["second", "succeeded", 1],
      ["skipped", "skipped", 0],
    ]);
    const first = hooks.steps.get("first")!;
    expect(first.outputs).toEqual({ value: "ADD A GREETING" });
    expect(first.startedAt).toBeInstanceOf(Date);
    expect(first.finishedAt!.getTime()).toBeGreaterThanOrEqual(first.startedAt!.getTime());
  });

  it("retries with exponential backoff and records every attempt", async () => {
    const { actions, callsOf } = testActions();
    const hooks = memoryHooks();
    const yaml = demoWorkflow(
      "      - id: flaky",
      "        uses: test.flaky",
      "        with: { key: a, failures: 2 }",
      "        retry: { attempts: 3, backoff: 100ms, factor: 3 }",
    );
    const result = await run(yaml, "demo", actions, hooks);
    expect(result.status).toBe("succeeded");
    const times = callsOf("test.flaky").map((c) => c.at);
    expect(times).toHaveLength(3);
    // Waits of 100 ms, then 300 ms (backoff × factor): lower bounds, since timers never fire early.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(95);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(295);
    expect(hooks.steps.get("flaky")).toMatchObject({ status: "succeeded", attempts: 3, outputs: { attempt: 3 } });
    expect(hooks.history.filter((s) => s.error).map((s) => s.error)).toEqual([
      "attempt 1 failed: flaky failure 1; retrying in 100ms",
      "attempt 2 failed: flaky failure 2; retrying in 300ms",
    ]);
  });

  it("fails a step whose attempts are spent, with the last error", async () => {
    const { actions, callsOf } = testActions();
    const hooks = memoryHooks();
    const yaml = demoWorkflow(
      "      - id: flaky",
      "        uses: test.flaky",
      "        with: { key: b, failures: 5 }",
      "        retry: { attempts: 2, backoff: 10ms }",
      "      - id: after",
      "        uses: test.echo",
      "        with: { value: 1 }",
    );
    const result = await run(yaml, "demo", actions, hooks);
    expect(result.status).toBe("failed");
    expect(message(result.error)).toBe("flaky failure 2");
    expect(callsOf("test.flaky")).toHaveLength(2);
    expect(callsOf("test.echo")).toHaveLength(0);
    expect(hooks.steps.get("flaky")).toMatchObject({ status: "failed", attempts: 2, error: "flaky failure 2" });
  });

  it("retries three times for on_error: retry without a retry policy", async () => {
    const { actions, callsOf } = testActions();
    const yaml = demoWorkflow("      - { id: f, uses: test.flaky, with: { key: c, failures: 2 }, on_error: retry }");
    expect((await run(yaml, "demo", actions)).status).toBe("succeeded");
    expect(callsOf("test.flaky")).toHaveLength(3);
  });

  it("times a step out, aborts its work and says so", async () => {
    const { actions, aborted } = testActions();
    const hooks = memoryHooks();
    const yaml = demoWorkflow("      - { id: slow, uses: test.sleep, with: { ms: 30000 }, timeout: 1s }");
    const result = await run(yaml, "demo", actions, hooks);
    expect(result.status).toBe("failed");
    expect(result.error).toBeInstanceOf(UserFacingError);
    expect(message(result.error)).toBe('step "slow" timed out after 1s');
    expect(aborted).toEqual(["sleep"]);
    expect(hooks.steps.get("slow")).toMatchObject({ status: "failed", error: 'step "slow" timed out after 1s' });
  });

  it("goes on past a failed step with on_error: continue", async () => {
    const { actions, callsOf } = testActions();
    const hooks = memoryHooks();
    const yaml = demoWorkflow(
      "      - { id: broken, uses: test.fail, on_error: continue }",
      "      - id: next",
      "        uses: test.echo",
      "        with: { value: \"{{ steps.broken.status }}\" }",
    );
    const result = await run(yaml, "demo", actions, hooks);
    expect(result.status).toBe("succeeded");
    expect(callsOf("test.echo").map((c) => c.input)).toEqual([{ value: "failed" }]);
    expect(hooks.steps.get("broken")).toMatchObject({ status: "failed", error: "it failed" });
  });

  it("rolls back the completed steps newest first", async () => {
    const { actions, undone } = testActions();
    const hooks = memoryHooks();
    const yaml = demoWorkflow(
      "      - { id: branch, uses: test.create, with: { name: branch } }",
      "      - { id: note, uses: test.echo, with: { value: no compensation } }",
      "      - { id: pr, uses: test.create, with: { name: pr } }",
      "      - { id: label, uses: test.create, with: { name: label } }",
      "      - { id: notify, uses: test.fail, with: { message: notify broke }, on_error: rollback }",
    );
    const result = await run(yaml, "demo", actions, hooks);
    expect(result.status).toBe("failed");
    expect(message(result.error)).toBe("notify broke");
    expect(undone).toEqual(["label:label", "pr:pr", "branch:branch"]);
    expect([...hooks.steps.values()].map((s) => [s.id, s.status])).toEqual([
      ["branch", "rolled_back"],
      ["note", "succeeded"],
      ["pr", "rolled_back"],
      ["label", "rolled_back"],
      ["notify", "failed"],
    ]);
  });

  it("does not roll back for on_error: fail", async () => {
    const { actions, undone } = testActions();
    const yaml = demoWorkflow("      - { id: a, uses: test.create, with: { name: a } }", "      - { id: b, uses: test.fail }");
    expect((await run(yaml, "demo", actions)).status).toBe("failed");
    expect(undone).toEqual([]);
  });

  it("runs a parallel group at once and stops the siblings of a failed step", async () => {
    const { actions, aborted, callsOf } = testActions();
    const hooks = memoryHooks();
    const yaml = demoWorkflow(
      "      - id: checks",
      "        parallel:",
      "          - { id: lint, uses: test.sleep, with: { ms: 30000, name: lint } }",
      "          - { id: test, uses: test.sleep, with: { ms: 30000, name: test } }",
      "          - { id: broken, uses: test.fail, with: { message: types do not check } }",
      "      - { id: after, uses: test.echo, with: { value: 1 } }",
    );
    const started = Date.now();
    const result = await run(yaml, "demo", actions, hooks);
    expect(result.status).toBe("failed");
    expect(message(result.error)).toBe("types do not check");
    // All three started before any finished, and the sleepers were cancelled, not waited for.
    expect(callsOf("test.sleep")).toHaveLength(2);
    expect(aborted.sort()).toEqual(["lint", "test"]);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(callsOf("test.echo")).toHaveLength(0);
    expect(hooks.steps.get("checks")).toMatchObject({ status: "failed", error: "types do not check" });
    expect(hooks.steps.get("lint")).toMatchObject({ status: "failed", error: 'step "lint" was cancelled because a step beside it failed' });
    expect(hooks.steps.get("broken")).toMatchObject({ status: "failed" });
  });

  it("finishes a parallel group when every step succeeds, and later steps read their outputs", async () => {
    const { actions, calls } = testActions();
    const yaml = demoWorkflow(
      "      - id: both",
      "        parallel:",
      "          - { id: slow, uses: test.sleep, with: { ms: 200 } }",
      "          - { id: fast, uses: test.echo, with: { value: quick } }",
      "      - { id: after, uses: test.echo, with: { value: \"{{ steps.slow.outputs.slept }} {{ steps.fast.outputs.value }}\" } }",
    );
    expect((await run(yaml, "demo", actions)).status).toBe("succeeded");
    // The echo inside the group did not wait for the sleep before it.
    expect(calls.map((c) => c.action)).toEqual(["test.sleep", "test.echo", "test.echo"]);
    expect(calls[2]!.input).toEqual({ value: "200 quick" });
  });

  it("runs a foreach step per item and gives the results as a list", async () => {
    const { actions, callsOf } = testActions();
    const hooks = memoryHooks();
    const yaml = demoWorkflow(
      "      - { id: list, uses: test.echo, with: { value: [a, b, c] } }",
      "      - id: each",
      "        uses: test.echo",
      "        foreach: \"{{ steps.list.outputs.value }}\"",
      "        with: { value: \"{{ index }}={{ item }}\" }",
    );
    expect((await run(yaml, "demo", actions, hooks)).status).toBe("succeeded");
    expect(callsOf("test.echo").slice(1).map((c) => c.input)).toEqual([{ value: "0=a" }, { value: "1=b" }, { value: "2=c" }]);
    expect(hooks.steps.get("each")?.outputs).toEqual({ results: [{ value: "0=a" }, { value: "1=b" }, { value: "2=c" }] });
  });

  it("checks prerequisites before the first step", async () => {
    const { actions, calls } = testActions();
    const yaml = lines(
      "version: 1",
      "workflows:",
      "  demo:",
      "    prerequisites:",
      "      - { if: issue.number > 100, message: \"#{{ issue.number }} is too old\" }",
      "    steps:",
      "      - { id: a, uses: test.echo, with: { value: 1 } }",
    );
    await expect(run(yaml, "demo", actions)).rejects.toThrow("#7 is too old");
    expect(calls).toEqual([]);
  });

  it("runs post steps: always, then on_success or on_failure", async () => {
    const { actions, callsOf } = testActions();
    const post = [
      "    post:",
      "      always: [{ id: always, uses: test.echo, with: { value: \"always {{ run.status }}\" } }]",
      "      on_success: [{ id: good, uses: test.echo, with: { value: good } }]",
      "      on_failure: [{ id: bad, uses: test.echo, with: { value: bad } }, { id: broken_post, uses: test.fail }]",
    ];
    const ok = demoWorkflow("      - { id: a, uses: test.echo, with: { value: 1 } }", ...post);
    expect((await run(ok, "demo", actions)).status).toBe("succeeded");
    expect(callsOf("test.echo").map((c) => c.input)).toEqual([{ value: 1 }, { value: "always succeeded" }, { value: "good" }]);

    const second = testActions();
    const failing = demoWorkflow("      - { id: a, uses: test.fail, with: { message: main broke } }", ...post);
    const result = await run(failing, "demo", second.actions);
    // A failing post step does not replace the main failure.
    expect(message(result.error)).toBe("main broke");
    expect(second.callsOf("test.echo").map((c) => c.input)).toEqual([{ value: "always failed" }, { value: "bad" }]);
  });

  it("stops at a step boundary when asked, and still runs the always steps", async () => {
    const { actions, callsOf } = testActions();
    const hooks = memoryHooks();
    let boundaries = 0;
    hooks.checkpoint = async () => {
      if (++boundaries >= 2) throw new RunStopped("octocat");
    };
    const yaml = demoWorkflow(
      "      - { id: a, uses: test.echo, with: { value: 1 } }",
      "      - { id: b, uses: test.echo, with: { value: 2 } }",
      "    post:",
      "      always: [{ id: cleanup, uses: test.create, with: { name: cleanup } }]",
      "      on_failure: [{ id: bad, uses: test.echo, with: { value: bad } }]",
    );
    await expect(run(yaml, "demo", actions, hooks)).rejects.toBeInstanceOf(RunStopped);
    expect(callsOf("test.echo").map((c) => c.input)).toEqual([{ value: 1 }]);
    expect(callsOf("test.create").map((c) => c.input)).toEqual([{ name: "cleanup" }]);
    expect(hooks.steps.has("b")).toBe(false);
    expect(hooks.steps.has("bad")).toBe(false);
  });

  it("calls another workflow and returns its outputs", async () => {
    const { actions, callsOf } = testActions();
    const hooks = memoryHooks();
    const yaml = lines(
      "version: 1",
      "workflows:",
      "  inner:",
      "    steps:",
      "      - { id: shout, uses: test.echo, with: { value: \"{{ inputs.word | upcase }}\" } }",
      "    outputs: { loud: \"{{ steps.shout.outputs.value }}\" }",
      "  outer:",
      "    steps:",
      "      - { id: call, uses: workflow.inner, with: { word: hello } }",
      "      - { id: after, uses: test.echo, with: { value: \"{{ steps.call.outputs.loud }}!\" } }",
    );
    expect((await run(yaml, "outer", actions, hooks)).status).toBe("succeeded");
    expect(callsOf("test.echo").map((c) => c.input)).toEqual([{ value: "HELLO" }, { value: "HELLO!" }]);
    expect([...hooks.steps.keys()]).toEqual(["call", "call/shout", "after"]);
  });

  it("tells each action the id of its step as the run records it, inside called workflows too", async () => {
    const { actions } = testActions();
    const hooks = memoryHooks();
    const told: (string | undefined)[] = [];
    const where = actions.with([
      {
        name: "test.where",
        description: "notes the step it runs in",
        input: (await import("zod")).z.object({}),
        outputs: {},
        run: (_input, context) => {
          told.push(context.stepId);
          return Promise.resolve({});
        },
      },
    ]);
    const yaml = lines(
      "version: 1",
      "workflows:",
      "  deepest:",
      "    steps:",
      "      - { id: here, uses: test.where }",
      "  middle:",
      "    steps:",
      "      - { id: here, uses: test.where }",
      "      - { id: down, uses: workflow.deepest }",
      "  outer:",
      "    steps:",
      "      - { id: first, uses: test.where }",
      "      - { id: call, uses: workflow.middle }",
    );
    expect((await run(yaml, "outer", where, hooks)).status).toBe("succeeded");
    expect(told).toEqual(["first", "call/here", "call/down/here"]);
    // The ids the run recorded for those steps.
    expect([...hooks.steps.keys()]).toEqual(expect.arrayContaining(told as string[]));
  });

  it("fails a step whose rendered input does not fit the action, naming the input", async () => {
    const { actions } = testActions();
    const yaml = demoWorkflow("      - { id: a, uses: test.flaky, with: { key: x, failures: \"{{ issue.title }}\" } }");
    const result = await run(yaml, "demo", actions);
    expect(message(result.error)).toBe('step "a" (test.flaky): with.failures: expected a number, not text');
  });

  it("keeps the app's secrets out of the step records: internal errors are not shown", async () => {
    const { actions } = testActions();
    const hooks = memoryHooks();
    const leaky = actions.with([
      {
        name: "test.leak",
        description: "throws an error carrying a token",
        input: (await import("zod")).z.object({}),
        outputs: {},
        run: () => Promise.reject(new Error("request to https://x-access-token:ghs_secret123@github.com failed")),
      },
    ]);
    const yaml = demoWorkflow("      - { id: a, uses: test.leak }");
    const result = await run(yaml, "demo", leaky, hooks);
    expect(result.status).toBe("failed");
    expect(JSON.stringify(hooks.history)).not.toContain("ghs_secret123");
    expect(hooks.steps.get("a")?.error).toBe("internal error");
  });
});
