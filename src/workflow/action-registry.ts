import type { ActionLookup, RegisteredAction } from "../core/action.js";

/** The actions a server offers, by name; a workflow's steps are checked against one. */
export class ActionRegistry implements ActionLookup {
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
