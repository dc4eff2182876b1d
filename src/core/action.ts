import type { z } from "zod";

/**
 * Actions are what workflow steps `uses:`. Each declares the zod schema of its `with:` inputs and
 * the names of its outputs, so a workflow is checked when it is loaded, not half-way through a run;
 * an action that changes something outside the run can declare how to undo it (`compensate`), which
 * a rollback calls in reverse order. The types live in core so that an integration's folder can
 * define actions without importing the workflow engine.
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

/**
 * What the app provides to actions; absent parts make the actions that need them fail clearly.
 *
 * Only what core can name is here; the rest is added by module augmentation (`declare module "…/core/action.js" {
 * interface RunServices { github?: GitHubClient } }`) in the layer that provides each service.
 * A generic `ActionContext<Services>` would do the same for one action, but the registry holds
 * actions of every provider side by side, and the engine hands each the same services object:
 * with a generic, every registry, engine and test signature would carry the union of all services,
 * spelled out in a layer that is not allowed to import them. Augmentation keeps core free of the
 * services' types and lets an action name only the part it uses.
 */
export interface RunServices {
  /** The directory `shell.run` runs in: the run's git worktree. */
  workspace?: string;
}

/**
 * What actions announce they made, by event name; the run records them (links, the tracking
 * comment) and the mirrors read them, so nothing guesses from an action's name or outputs.
 * Augmentable like RunServices, for an integration's own events.
 */
export interface ActionEvents {
  "pull_request.opened": { number: number; url: string };
  "review.posted": { url: string; findings: number };
  /** The run's work is on this branch of the remote. */
  "branch.pushed": { branch: string; sha: string };
  /** A branch the run pushed is gone again (a rollback deleted it). */
  "branch.deleted": { branch: string };
}

export type ActionEventName = keyof ActionEvents;

/** One announced event, as the run receives it. */
export type ActionEvent = { [Name in ActionEventName]: { name: Name; payload: ActionEvents[Name] } }[ActionEventName];

export interface ActionContext {
  target: RunTarget;
  services: RunServices;
  /** Aborted when the step times out or a parallel sibling fails; long work should listen. */
  signal: AbortSignal;
  /**
   * The id of the step the action runs in, as the run records it (`call/inner` inside a called
   * workflow): what the action's work is filed under in the run's event log.
   */
  stepId?: string;
  /** Announces something the action made; the run hears of it once the step has succeeded. */
  emit<Name extends ActionEventName>(name: Name, payload: ActionEvents[Name]): void;
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

/** The actions a workflow may use, by name: what checking a workflow needs of a registry. */
export interface ActionLookup {
  get(name: string): RegisteredAction | undefined;
  names(): string[];
}
