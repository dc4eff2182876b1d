import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { parseRepoConfig } from "../../src/workflow/repo-config.js";
import { UserFacingError } from "../../src/core/errors.js";
import type { RunStep } from "../../src/core/run.js";
import { type ActionRegistry } from "../../src/workflow/action-registry.js";
import { defineAction } from "../../src/core/action.js";
import { builtInActions } from "../../src/workflow/actions/index.js";
import { effectiveWorkflows } from "../../src/workflow/built-in.js";
import { type EngineHooks, type WorkflowResult, runWorkflow } from "../../src/workflow/engine.js";
import { configScope } from "../../src/workflow/scope.js";
import type { TemplateScope } from "../../src/workflow/template.js";

/** YAML text from its lines, ending in a newline as a file does. */
export const lines = (...text: string[]): string => `${text.join("\n")}\n`;

/** A configuration whose first workflow is demo, its steps (and what follows them) given as the file's lines. */
export const demoWorkflow = (...steps: string[]): string => lines("version: 1", "workflows:", "  demo:", "    steps:", ...steps);

/** Actions whose every call is written down, for engine tests. */
export function testActions() {
  const calls: { action: string; input: unknown; at: number }[] = [];
  const undone: string[] = [];
  const aborted: string[] = [];
  const failures = new Map<string, number>();
  const log = (action: string, input: unknown) => calls.push({ action, input, at: Date.now() });
  const actions = builtInActions().with([
    defineAction({
      name: "test.echo",
      description: "gives back its value",
      input: z.strictObject({ value: z.unknown() }),
      outputs: { value: "the value" },
      async run(input) {
        log("test.echo", input);
        return { value: input.value };
      },
    }),
    defineAction({
      name: "test.create",
      description: "creates something a rollback removes",
      input: z.strictObject({ name: z.string() }),
      outputs: { name: "what was created" },
      async run(input) {
        log("test.create", input);
        return { name: input.name };
      },
      async compensate(input, outputs) {
        undone.push(`${input.name}:${String(outputs.name)}`);
      },
    }),
    defineAction({
      name: "test.flaky",
      description: "fails its first `failures` calls for a key",
      input: z.strictObject({ key: z.string(), failures: z.number().int() }),
      outputs: { attempt: "the attempt that worked" },
      async run(input) {
        log("test.flaky", input);
        const seen = (failures.get(input.key) ?? 0) + 1;
        failures.set(input.key, seen);
        if (seen <= input.failures) throw new UserFacingError(`flaky failure ${seen}`);
        return { attempt: seen };
      },
    }),
    defineAction({
      name: "test.fail",
      description: "always fails",
      input: z.strictObject({ message: z.string().default("it failed") }),
      outputs: {},
      async run(input) {
        log("test.fail", input);
        throw new UserFacingError(input.message);
      },
    }),
    defineAction({
      name: "test.sleep",
      description: "waits, and notes when it is aborted",
      input: z.strictObject({ ms: z.number(), name: z.string().default("sleep") }),
      outputs: { slept: "milliseconds" },
      async run(input, { signal }) {
        log("test.sleep", input);
        try {
          await sleep(input.ms, undefined, { signal });
        } catch (error) {
          aborted.push(input.name);
          throw error;
        }
        return { slept: input.ms };
      },
    }),
    defineAction({
      name: "test.hang",
      description: "never finishes: the process dies here",
      input: z.strictObject({}),
      outputs: {},
      run(input) {
        log("test.hang", input);
        return new Promise(() => undefined);
      },
    }),
  ]);
  return { actions, calls, undone, aborted, callsOf: (action: string) => calls.filter((c) => c.action === action) };
}

/** Parses a whole `.github/ai-agent.yml` with the given actions; throws on problems. */
export function loadConfig(yaml: string, actions: ActionRegistry) {
  const result = parseRepoConfig(yaml, ".github/ai-agent.yml", actions);
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.line}:${p.column} ${p.message}`).join("\n"));
  return result.config;
}

/** Hooks that keep the recorded steps in memory, in the order they were recorded. */
export function memoryHooks(previous: RunStep[] = []): EngineHooks & { steps: Map<string, RunStep>; history: RunStep[] } {
  const steps = new Map(previous.map((step) => [step.id, step]));
  const history: RunStep[] = [];
  return {
    previous,
    steps,
    history,
    async record(step) {
      history.push(structuredClone(step));
      steps.set(step.id, structuredClone(step));
    },
    async checkpoint() {},
  };
}

export const baseScope: TemplateScope = {
  issue: { number: 7, title: "Add a greeting", body: "Say hello", state: "open", author: "octocat" },
  repo: { owner: "acme", name: "widgets", full_name: "acme/widgets", default_branch: "main" },
  run: { id: "run-1", task: "implement", trigger: "label", actor: "octocat", input: "" },
};

/** Runs one workflow of a configuration file. */
export async function run(yaml: string, name: string, actions: ActionRegistry, hooks: EngineHooks = memoryHooks()): Promise<WorkflowResult> {
  const config = loadConfig(yaml, actions);
  const workflows = effectiveWorkflows(config.workflows);
  const workflow = workflows[name];
  if (!workflow) throw new Error(`no workflow ${name}`);
  return runWorkflow({
    name,
    workflow,
    workflows,
    actions,
    scope: { ...baseScope, config: configScope(config) },
    target: { runId: "run-1", owner: "acme", repo: "widgets", number: 7, actor: "octocat" },
    services: {},
    hooks,
  });
}
