import type { z } from "zod";
import type { RegisteredAction } from "../core/action.js";
import { anthropic } from "./anthropic/index.js";
import { confluence } from "./confluence/index.js";
import { email } from "./email/index.js";
import { github } from "./github/index.js";
import { jira } from "./jira/index.js";
import { linear } from "./linear/index.js";
import { slack } from "./slack/index.js";
import { type EnvProblem, type Integration, type IntegrationKind, SETTINGS_SECTION, actionPrefix } from "./types.js";

/**
 * Every integration the app ships, by id, in the manner of renovate's platform list: adding one
 * is its folder and one line here. Everything that composes over integrations (the environment
 * schema, the secret list, the configuration schema, the actions) reads a set built from a list
 * like this one — the server's from this list, a test's from its own.
 */
const INTEGRATIONS: readonly Integration[] = [github, slack, jira, linear, anthropic, email, confluence];

/** What the core composes from a list of integrations. */
export interface IntegrationSet {
  readonly all: readonly Integration[];
  get(id: string): Integration | undefined;
  /** Every integration's variables, by name. */
  readonly envShape: Readonly<Record<string, z.ZodType>>;
  /** The variables that hold credentials. */
  readonly secretVariables: readonly string[];
  /** Each integration's rules across its variables, given the parsed environment. */
  checkEnv(env: Readonly<Record<string, unknown>>): EnvProblem[];
  /** The settings schemas by section (`notify`, `docs`) and id, in list order; sections no integration uses are absent. */
  readonly settings: Readonly<Record<string, Readonly<Record<string, z.ZodType>>>>;
  /** The doc stores' planner context schemas (`plan.context.<id>`), by id. */
  readonly planContext: Readonly<Record<string, z.ZodType>>;
  /** Every integration's workflow actions. */
  readonly actions: readonly RegisteredAction[];
}

export function composeIntegrations(list: readonly Integration[]): IntegrationSet {
  const byId = new Map<string, Integration>();
  const envShape: Record<string, z.ZodType> = {};
  const settings: Record<string, Record<string, z.ZodType>> = {};
  const planContext: Record<string, z.ZodType> = {};
  for (const integration of list) {
    if (!/^[a-z][a-z0-9_]*$/.test(integration.id)) throw new Error(`integration id ${integration.id} is not lower-case letters, digits and _`);
    if (byId.has(integration.id)) throw new Error(`integration ${integration.id} is registered twice`);
    byId.set(integration.id, integration);
    const variables: Record<string, z.ZodType> = integration.env.shape;
    for (const [variable, schema] of Object.entries(variables)) {
      if (variable in envShape) throw new Error(`environment variable ${variable} is claimed by two integrations`);
      envShape[variable] = schema;
    }
    const section = SETTINGS_SECTION[integration.kind];
    if (integration.settings && section) (settings[section] ??= {})[integration.id] = integration.settings;
    if (integration.context) planContext[integration.id] = integration.context;
    const prefix = actionPrefix(integration);
    for (const action of integration.actions ?? []) {
      if (!action.name.startsWith(prefix)) throw new Error(`action ${action.name} of integration ${integration.id} must be named ${prefix}<action>`);
    }
  }
  return {
    all: [...list],
    get: (id) => byId.get(id),
    envShape,
    secretVariables: list.flatMap((integration) => integration.secrets),
    checkEnv: (env) => list.flatMap((integration) => [...(integration.checkEnv?.(envOf(integration, env)) ?? [])]),
    settings,
    planContext,
    actions: list.flatMap((integration) => integration.actions ?? []),
  };
}

/** The integrations this server ships. */
export const builtInIntegrations: IntegrationSet = composeIntegrations(INTEGRATIONS);

export const integrations: ReadonlyMap<string, Integration> = new Map(INTEGRATIONS.map((integration) => [integration.id, integration]));

export function integrationsOfKind(kind: IntegrationKind, from: Iterable<Integration> = integrations.values()): Integration[] {
  return [...from].filter((integration) => integration.kind === kind);
}

/** Picks an integration's own variables out of the server's parsed environment. */
export function envOf(integration: Integration, env: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(integration.env.shape).map((variable) => [variable, env[variable]]));
}
