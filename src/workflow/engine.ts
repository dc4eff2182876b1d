import { setTimeout as sleep } from "node:timers/promises";
import type { RunStep } from "../core/run.js";
import { RunStopped, UserFacingError, publicMessage } from "../core/errors.js";
import type { ActionRegistry } from "./action-registry.js";
import type { ActionContext, ActionEvent, Outputs, RegisteredAction, RunServices, RunTarget } from "../core/action.js";
import { formatDuration } from "../core/format.js";
import { parseDuration } from "../core/duration.js";
import { type ActionStep, type Step, type Workflow, type Workflows, WORKFLOW_PROVIDER } from "../config/workflow-schema.js";
import { skipNote } from "./skip-note.js";
import { TemplateError, type TemplateScope, evaluateCondition, renderTemplate, renderValue } from "./template.js";
import { inputMessage } from "./validate.js";

/**
 * Runs a workflow: prerequisites, then its steps in order (groups concurrently, `foreach` per item),
 * each with its condition, timeout, retries and error mode, then the `post` steps. Every change of a
 * step's state is recorded as it happens, so a run resumed after a crash skips the steps that had
 * finished and reuses their outputs. A failing step with `on_error: rollback` undoes the completed
 * steps, newest first, through their actions' compensations.
 */

export interface EngineHooks {
  /** The steps an earlier attempt at this run recorded; empty for a new run. */
  previous: readonly RunStep[];
  /** Stores one step's state; called on each change, possibly concurrently for parallel steps. */
  record(step: RunStep): Promise<void>;
  /** Called before each step; throws RunStopped when someone asked the run to stop. */
  checkpoint(): Promise<void>;
  /**
   * Stores, in one write, the steps about to run that no earlier attempt recorded, as pending: so
   * the run's progress counts the whole workflow ("2 of 6") from its first step.
   */
  declare?(steps: RunStep[]): Promise<void>;
  /**
   * What a step's action announced it made (`context.emit`), once the step has succeeded and is
   * recorded; an attempt that failed announces nothing, since a retry makes or finds it again.
   */
  emit?(event: ActionEvent, stepId: string): void;
}

export interface WorkflowRun {
  name: string;
  workflow: Workflow;
  /** Every workflow of the repository, for `uses: workflow.<name>`. */
  workflows: Workflows;
  actions: ActionRegistry;
  /** issue, pull_request, repo, run, config: what templates read besides steps. */
  scope: TemplateScope;
  target: RunTarget;
  services: RunServices;
  hooks: EngineHooks;
  /** A step's time limit when it sets none. */
  defaultTimeoutMs?: number;
  /** Aborted (with RunStopped) when someone stops the run: the running step ends at once. */
  signal?: AbortSignal;
  /** What the run records this workflow's step ids under: `<step id>/` of the step that called it, nested calls in turn. */
  stepPrefix?: string;
}

export interface WorkflowResult {
  status: "succeeded" | "failed";
  /** The failure, for a failed run. */
  error?: unknown;
  /** The workflow's declared `outputs`, rendered. */
  outputs: Outputs;
}

const DEFAULT_TIMEOUT_MS = 60 * 60 * 1000;
/** Attempts for `on_error: retry` without a `retry:` of its own. */
const DEFAULT_RETRY = { attempts: 3, backoff: "1s", factor: 2, max_delay: "1m" };

/** One attempt's outputs, the action that made them, and what it announced. */
interface Performed {
  outputs: Outputs;
  action?: RegisteredAction;
  events: ActionEvent[];
}

interface StepState {
  status: RunStep["status"];
  outputs: Outputs;
}

/** A completed step that a rollback may undo. */
interface Completed {
  step: ActionStep;
  action: RegisteredAction;
  outputs: Outputs;
  scope: TemplateScope;
}

/** Why the steps of a group that ran out of time were stopped. */
class GroupTimedOut extends UserFacingError {}

class StepFailed extends Error {
  constructor(readonly stepId: string, override readonly cause: unknown) {
    super(`step ${stepId} failed`);
  }
}

export async function runWorkflow(run: WorkflowRun): Promise<WorkflowResult> {
  return new Execution(run).execute();
}

class Execution {
  private readonly states = new Map<string, StepState>();
  private readonly completed: Completed[] = [];
  private readonly previous: Map<string, RunStep>;

  constructor(private readonly run: WorkflowRun) {
    this.previous = new Map(run.hooks.previous.map((step) => [step.id, step]));
  }

  async execute(): Promise<WorkflowResult> {
    const { workflow } = this.run;
    for (const prerequisite of workflow.prerequisites) {
      if (!evaluateCondition(prerequisite.if, this.scope())) throw new UserFacingError(renderTemplate(prerequisite.message, this.scope()));
    }
    await this.declare();
    let failure: unknown;
    try {
      for (const step of workflow.steps) await this.runStep(step);
    } catch (error) {
      failure = error instanceof StepFailed ? error.cause : error;
    }
    const stopped = failure instanceof RunStopped;
    await this.runPost(workflow.post.always, failure);
    if (!stopped) await this.runPost(failure === undefined ? workflow.post.on_success : workflow.post.on_failure, failure);
    if (stopped) throw failure;
    if (failure !== undefined) return { status: "failed", error: failure, outputs: {} };
    const outputs = Object.fromEntries(Object.entries(workflow.outputs ?? {}).map(([name, template]) => [name, renderValue(template, this.scope())]));
    return { status: "succeeded", outputs };
  }

  /** The steps and groups (with their steps), then the post steps that always run, in their order. */
  private async declare(): Promise<void> {
    const { workflow, hooks } = this.run;
    if (!hooks.declare) return;
    const planned = [...workflow.steps.flatMap((step) => [step, ...(step.parallel ?? [])]), ...workflow.post.always];
    const pending = planned.filter((step) => !this.previous.has(step.id)).map((step): RunStep => ({ id: step.id, ...(step.name ? { name: step.name } : {}), status: "pending", attempts: 0 }));
    if (pending.length > 0) await hooks.declare(pending);
  }

  private scope(extra: TemplateScope = {}): TemplateScope {
    const steps = Object.fromEntries([...this.states].map(([id, state]) => [id, { status: state.status, outputs: state.outputs }]));
    return { inputs: {}, ...this.run.scope, steps, ...extra };
  }

  /** Post steps run whatever happens; their failures are recorded and do not change the outcome. */
  private async runPost(steps: ActionStep[], failure: unknown): Promise<void> {
    const outcome = failure === undefined ? "succeeded" : failure instanceof RunStopped ? "stopped" : "failed";
    const run = { ...(this.run.scope.run as Record<string, unknown> | undefined), status: outcome };
    for (const step of steps) {
      try {
        await this.runAction(step, { run }, { post: true });
      } catch {
        // Recorded on the step; a post step never turns a success into a failure.
      }
    }
  }

  private async runStep(step: Step): Promise<void> {
    const signal = this.run.signal;
    if (step.parallel) return this.runGroup(step, step.parallel, signal);
    return this.runAction(step as ActionStep, {}, signal ? { signal } : {});
  }

  private async record(step: RunStep): Promise<void> {
    this.previous.set(step.id, step);
    await this.run.hooks.record(step);
  }

  /** A step a previous attempt finished: its outputs come back, and it does not run again. */
  private resumed(step: Step | ActionStep): boolean {
    const earlier = this.previous.get(step.id);
    if (earlier?.status !== "succeeded" && earlier?.status !== "skipped") return false;
    this.states.set(step.id, { status: earlier.status, outputs: earlier.outputs ?? this.nullOutputs(step) });
    return true;
  }

  private nullOutputs(step: Step | ActionStep): Outputs {
    if ("parallel" in step || !step.uses) return {};
    if (step.foreach !== undefined) return { results: null };
    const [provider, name = ""] = step.uses.split(".");
    const names = provider === WORKFLOW_PROVIDER ? Object.keys(this.run.workflows[name]?.outputs ?? {}) : Object.keys(this.run.actions.get(step.uses)?.outputs ?? {});
    return Object.fromEntries(names.map((output) => [output, null]));
  }

  /** Evaluates `if:`; a false condition records the step as skipped. */
  private async skipped(step: Step | ActionStep, scope: TemplateScope): Promise<boolean> {
    if (step.if === undefined || evaluateCondition(step.if, scope)) return false;
    const outputs = this.nullOutputs(step);
    this.states.set(step.id, { status: "skipped", outputs });
    await this.record({ id: step.id, ...(step.name ? { name: step.name } : {}), status: "skipped", attempts: 0, outputs, note: skipNote(step.if, scope) });
    return true;
  }

  private async runGroup(group: Step, children: ActionStep[], signal?: AbortSignal): Promise<void> {
    await this.run.hooks.checkpoint();
    if (this.resumed(group)) return;
    if (await this.skipped(group, this.scope())) return;
    const base = { id: group.id, ...(group.name ? { name: group.name } : {}), attempts: 1, startedAt: new Date() };
    await this.record({ ...base, status: "running" });
    const controller = new AbortController();
    signal?.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
    const timeout = setTimeout(() => controller.abort(new GroupTimedOut(`${label(group)} timed out after ${formatDuration(this.timeoutOf(group))}`)), this.timeoutOf(group));
    let error: unknown;
    await Promise.allSettled(
      children.map(async (child) => {
        try {
          await this.runAction(child, {}, { signal: controller.signal });
        } catch (failure) {
          // The first failure stops the siblings; they see the abort on their signal.
          error ??= failure instanceof StepFailed ? failure.cause : failure;
          controller.abort(failure);
        }
      }),
    );
    clearTimeout(timeout);
    if (controller.signal.aborted && error === undefined) error = controller.signal.reason;
    if (error === undefined) {
      this.states.set(group.id, { status: "succeeded", outputs: {} });
      await this.record({ ...base, status: "succeeded", finishedAt: new Date(), outputs: {} });
      return;
    }
    await this.record({ ...base, status: "failed", finishedAt: new Date(), error: publicMessage(error) });
    this.states.set(group.id, { status: "failed", outputs: {} });
    await this.afterFailure(group, error);
  }

  /** What a step's `on_error` says to do once its attempts are spent. */
  private async afterFailure(step: Step | ActionStep, error: unknown): Promise<void> {
    if (error instanceof RunStopped) throw error;
    if (step.on_error === "continue") return;
    if (step.on_error === "rollback") await this.rollback();
    throw new StepFailed(step.id, error);
  }

  private async rollback(): Promise<void> {
    for (const done of this.completed.splice(0).reverse()) {
      const compensate = done.action.compensate;
      if (!compensate) continue;
      const earlier = this.previous.get(done.step.id);
      try {
        const input = done.action.input.parse(renderValue(done.step.with ?? {}, done.scope));
        // What a compensation announces (a branch deleted) reaches the run once it has succeeded.
        const events: ActionEvent[] = [];
        await compensate(input, done.outputs, this.context(new AbortController().signal, events, done.step.id));
        if (earlier) await this.record({ ...earlier, status: "rolled_back", finishedAt: new Date() });
        for (const event of events) this.run.hooks.emit?.(event, done.step.id);
      } catch (error) {
        if (earlier) await this.record({ ...earlier, error: `rollback failed: ${publicMessage(error)}` });
      }
    }
  }

  private context(signal: AbortSignal, events: ActionEvent[], stepId: string): ActionContext {
    return {
      target: this.run.target,
      services: this.run.services,
      signal,
      stepId: `${this.run.stepPrefix ?? ""}${stepId}`,
      emit: (name, payload) => {
        events.push({ name, payload } as ActionEvent);
      },
    };
  }

  private timeoutOf(step: Step | ActionStep): number {
    return step.timeout ? (parseDuration(step.timeout) ?? 0) : (this.run.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  private async runAction(step: ActionStep, extra: TemplateScope, options: { signal?: AbortSignal; post?: boolean } = {}): Promise<void> {
    // Post steps are the clean-up: they run on a stopped run too.
    if (!options.post) await this.run.hooks.checkpoint();
    const scope = this.scope(extra);
    if (this.resumed(step)) {
      // Still undone by a later rollback, as if it had run in this attempt.
      const action = this.run.actions.get(step.uses);
      const state = this.states.get(step.id);
      if (action && state?.status === "succeeded" && step.foreach === undefined && !options.post) {
        this.completed.push({ step, action, outputs: state.outputs, scope });
      }
      return;
    }
    const base = { id: step.id, ...(step.name ? { name: step.name } : {}) };
    let attempts = this.previous.get(step.id)?.attempts ?? 0;
    const startedAt = new Date();
    try {
      if (await this.skipped(step, scope)) return;
      const policy = step.retry ?? (step.on_error === "retry" ? DEFAULT_RETRY : undefined);
      const limit = policy?.attempts ?? 1;
      for (let attempt = 1; ; attempt++) {
        attempts++;
        await this.record({ ...base, status: "running", attempts, startedAt });
        try {
          const { outputs, action, events } = await this.attempt(step, scope, options.signal);
          this.states.set(step.id, { status: "succeeded", outputs });
          if (action && !options.post) this.completed.push({ step, action, outputs, scope });
          await this.record({ ...base, status: "succeeded", attempts, startedAt, finishedAt: new Date(), outputs });
          for (const event of events) this.run.hooks.emit?.(event, step.id);
          return;
        } catch (error) {
          const aborted = options.signal?.aborted === true;
          if (attempt >= limit || aborted || error instanceof RunStopped || error instanceof TemplateError) throw error;
          const backoff = parseDuration(policy?.backoff ?? "0s") ?? 0;
          const delay = Math.min(backoff * (policy?.factor ?? 1) ** (attempt - 1), parseDuration(policy?.max_delay ?? "1m") ?? backoff);
          await this.record({ ...base, status: "running", attempts, startedAt, error: `attempt ${attempt} failed: ${publicMessage(error)}; retrying in ${formatDuration(delay)}` });
          await sleep(delay);
          if (!options.post) await this.run.hooks.checkpoint();
        }
      }
    } catch (error) {
      if (error instanceof RunStopped) throw error;
      this.states.set(step.id, { status: "failed", outputs: this.nullOutputs(step) });
      await this.record({ ...base, status: "failed", attempts, startedAt, finishedAt: new Date(), error: publicMessage(error) });
      // A step cancelled because a sibling failed leaves the decision to the sibling and the group.
      if (options.post || options.signal?.aborted) throw error;
      await this.afterFailure(step, error);
    }
  }

  /** One attempt: the action (per item under `foreach`) within the step's time limit. */
  private async attempt(step: ActionStep, scope: TemplateScope, outer?: AbortSignal): Promise<Performed> {
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(outer?.reason);
    outer?.addEventListener("abort", onOuterAbort, { once: true });
    const ms = this.timeoutOf(step);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new UserFacingError(`${label(step)} timed out after ${formatDuration(ms)}`);
        controller.abort(error);
        reject(error);
      }, ms);
    });
    const cancelled = () =>
      outer?.reason instanceof GroupTimedOut || outer?.reason instanceof RunStopped
        ? outer.reason
        : new UserFacingError(`${label(step)} was cancelled because a step beside it failed`);
    const aborted = new Promise<never>((_, reject) => {
      if (outer?.aborted) reject(cancelled());
      outer?.addEventListener("abort", () => reject(cancelled()), { once: true });
    });
    try {
      return await Promise.race([this.perform(step, scope, controller.signal), timedOut, aborted]);
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onOuterAbort);
    }
  }

  private async perform(step: ActionStep, scope: TemplateScope, signal: AbortSignal): Promise<Performed> {
    const [provider, name = ""] = step.uses.split(".");
    // A called workflow's steps announce through the hooks of the call, as each succeeds.
    if (provider === WORKFLOW_PROVIDER) return { outputs: await this.call(step, name, scope), events: [] };
    const events: ActionEvent[] = [];
    const action = this.run.actions.get(step.uses);
    if (!action) throw new UserFacingError(`${label(step)}: unknown action "${step.uses}"`);
    const once = async (itemScope: TemplateScope): Promise<Outputs> => {
      const parsed = action.input.safeParse(renderValue(step.with ?? {}, itemScope));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const path = (issue?.path ?? []).filter((segment): segment is string | number => typeof segment !== "symbol");
        const where = path.length > 0 ? `with.${path.join(".")}` : "with";
        throw new UserFacingError(`${label(step)} (${step.uses}): ${where}: ${inputMessage(step.uses, path, issue?.message ?? "invalid input")}`);
      }
      return action.run(parsed.data, this.context(signal, events, step.id));
    };
    if (step.foreach === undefined) return { outputs: await once(scope), action, events };
    const items = renderValue(step.foreach, scope);
    if (!Array.isArray(items)) throw new UserFacingError(`${label(step)}: foreach gave ${typeof items}, not a list`);
    const results: Outputs[] = [];
    for (const [index, item] of items.entries()) results.push(await once({ ...scope, item, index }));
    return { outputs: { results }, events };
  }

  /** `uses: workflow.<name>`: the called workflow's steps are recorded under `<step id>/`. */
  private async call(step: ActionStep, name: string, scope: TemplateScope): Promise<Outputs> {
    const workflow = this.run.workflows[name];
    if (!workflow) throw new UserFacingError(`${label(step)}: unknown workflow "${name}"`);
    const prefix = `${step.id}/`;
    const hooks: EngineHooks = {
      previous: [...this.previous.values()].filter((s) => s.id.startsWith(prefix)).map((s) => ({ ...s, id: s.id.slice(prefix.length) })),
      record: (inner) => this.record({ ...inner, id: `${prefix}${inner.id}` }),
      checkpoint: () => this.run.hooks.checkpoint(),
      emit: (event, id) => this.run.hooks.emit?.(event, `${prefix}${id}`),
    };
    const inputs = renderValue(step.with ?? {}, scope);
    const result = await runWorkflow({ ...this.run, name, workflow, hooks, scope: { ...this.run.scope, inputs }, stepPrefix: `${this.run.stepPrefix ?? ""}${prefix}` });
    if (result.status === "failed") throw result.error;
    return result.outputs;
  }
}

function label(step: Step | ActionStep): string {
  return `step "${step.id}"`;
}

