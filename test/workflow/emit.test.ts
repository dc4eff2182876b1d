import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type ActionEvent, defineAction } from "../../src/core/action.js";
import { UserFacingError } from "../../src/core/errors.js";
import type { RunStep } from "../../src/core/run.js";
import { demoWorkflow, lines, memoryHooks, run, testActions } from "./helpers.js";

/** An action that announces a pull request on every attempt and fails the first `failures`. */
function opener(failures: number) {
  let attempts = 0;
  return defineAction({
    name: "test.open",
    description: "announces a pull request",
    input: z.strictObject({ number: z.number() }),
    outputs: { url: "its address" },
    async run(input, context) {
      attempts++;
      const url = `https://github.com/acme/widgets/pull/${input.number}`;
      context.emit("pull_request.opened", { number: input.number, url: `${url}?attempt=${attempts}` });
      if (attempts <= failures) throw new UserFacingError(`attempt ${attempts} failed`);
      return { url };
    },
  });
}

function recordingHooks() {
  const hooks = memoryHooks();
  const heard: { event: ActionEvent; stepId: string; stepStatus: RunStep["status"] | undefined }[] = [];
  return {
    hooks: { ...hooks, emit: (event: ActionEvent, stepId: string) => void heard.push({ event, stepId, stepStatus: hooks.steps.get(stepId)?.status }) },
    heard,
  };
}

describe("what actions announce", () => {
  it("reaches the run once the step succeeded, from the attempt that succeeded", async () => {
    const actions = testActions().actions.with([opener(1)]);
    const { hooks, heard } = recordingHooks();
    const yaml = demoWorkflow(
      "      - id: pr",
      "        uses: test.open",
      "        with: { number: 5 }",
      "        retry: { attempts: 2, backoff: 1ms }",
    );
    const result = await run(yaml, "demo", actions, hooks);
    expect(result.status).toBe("succeeded");
    expect(heard).toEqual([
      { event: { name: "pull_request.opened", payload: { number: 5, url: "https://github.com/acme/widgets/pull/5?attempt=2" } }, stepId: "pr", stepStatus: "succeeded" },
    ]);
  });

  it("says nothing for a step that failed", async () => {
    const actions = testActions().actions.with([opener(5)]);
    const { hooks, heard } = recordingHooks();
    const yaml = demoWorkflow("      - id: pr", "        uses: test.open", "        with: { number: 5 }");
    expect((await run(yaml, "demo", actions, hooks)).status).toBe("failed");
    expect(heard).toEqual([]);
  });

  it("names the step of a called workflow under the calling step", async () => {
    const actions = testActions().actions.with([opener(0)]);
    const { hooks, heard } = recordingHooks();
    const yaml = lines(
      "version: 1",
      "workflows:",
      "  inner:",
      "    steps:",
      "      - id: pr",
      "        uses: test.open",
      "        with: { number: 9 }",
      "  demo:",
      "    steps:",
      "      - id: call",
      "        uses: workflow.inner",
    );
    expect((await run(yaml, "demo", actions, hooks)).status).toBe("succeeded");
    expect(heard.map((h) => [h.event.name, h.stepId, h.stepStatus])).toEqual([["pull_request.opened", "call/pr", "succeeded"]]);
  });
});
