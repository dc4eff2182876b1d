import type { z } from "zod";
import type { ModelAccess } from "../agent/model-access.js";
import type { RunWorkspace } from "../agent/run-workspace.js";
import type { RunSubject } from "../agent/subject.js";
import type { GitHubClient } from "../integrations/github/client.js";
import type { RunIntegrations } from "../integrations/kinds/parts.js";
import type { VersionControl } from "../integrations/kinds/version-control.js";
import type { Sandbox } from "../sandbox/index.js";

/**
 * Actions are what workflow steps `uses:`. Each declares the zod schema of its `with:` inputs and
 * the names of its outputs, so a workflow is checked when it is loaded, not half-way through a run;
 * an action that changes something outside the run can declare how to undo it (`compensate`), which
 * a rollback calls in reverse order.
 */

/** Where a run happens; the values templates see as `repo`, `issue` and `run`. */
export interface RunTarget {
  runId: string;
  owner: string;
  repo: string;
  /** The issue or pull request number. */
  number: number;
  actor: string;
}

/** What the app provides to actions; absent parts make the actions that need them fail clearly. */
export interface WorkflowServices {
  github?: GitHubClient;
  /** The run's repository on its forge; the change-request actions and reviews go through it. */
  versionControl?: VersionControl;
  /** The directory `shell.run` runs in: the run's git worktree. */
  workspace?: string;
  /** Where `shell.run` runs commands; the run workspace's when absent. */
  sandbox?: Sandbox;
  /** The issue or pull request the run is about, for the ai.* actions. */
  subject?: RunSubject;
  /** The model, within the run's budget: ai.plan, ai.implement, ai.review, ai.ask. */
  model?: ModelAccess;
  /** The run's worktree and shell: ai.plan, ai.implement, git.push, shell.run. */
  runWorkspace?: RunWorkspace;
  /** The run's connected integrations by id, for their actions (`slack.post` uses `integrations.slack`). */
  integrations?: RunIntegrations;
}

export interface ActionContext {
  target: RunTarget;
  services: WorkflowServices;
  /** Aborted when the step times out or a parallel sibling fails; long work should listen. */
  signal: AbortSignal;
}

export type Outputs = Record<string, unknown>;

export interface ActionDefinition<Input extends z.ZodType = z.ZodType> {
  /** `<provider>.<action>`. */
  name: string;
  description: string;
  input: Input;
  /** Output name → what it holds. */
  outputs: Record<string, string>;
  run(input: z.output<Input>, context: ActionContext): Promise<Outputs>;
  /** Undoes what `run` did, for a rollback; given the step's input and outputs. */
  compensate?(input: z.output<Input>, outputs: Outputs, context: ActionContext): Promise<void>;
}

/** An action with its input type erased, as the engine holds it. */
export interface RegisteredAction {
  name: string;
  description: string;
  input: z.ZodType;
  outputs: Record<string, string>;
  run(input: unknown, context: ActionContext): Promise<Outputs>;
  compensate?: (input: unknown, outputs: Outputs, context: ActionContext) => Promise<void>;
}

/** Keeps the input type while writing an action; the registry erases it. */
export function defineAction<Input extends z.ZodType>(definition: ActionDefinition<Input>): RegisteredAction {
  return definition as unknown as RegisteredAction;
}

export class ActionRegistry {
  private readonly actions = new Map<string, RegisteredAction>();

  constructor(actions: Iterable<RegisteredAction> = []) {
    for (const action of actions) this.register(action);
  }

  register(action: RegisteredAction): this {
    if (this.actions.has(action.name)) throw new Error(`action ${action.name} is registered twice`);
    this.actions.set(action.name, action);
    return this;
  }

  get(name: string): RegisteredAction | undefined {
    return this.actions.get(name);
  }

  names(): string[] {
    return [...this.actions.keys()].sort();
  }

  /** A registry with these actions added to (or replacing) the ones here; for tests and services. */
  with(actions: Iterable<RegisteredAction>): ActionRegistry {
    const merged = new ActionRegistry();
    for (const action of this.actions.values()) merged.actions.set(action.name, action);
    for (const action of actions) merged.actions.set(action.name, action);
    return merged;
  }
}
