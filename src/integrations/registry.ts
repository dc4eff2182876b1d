import { anthropic } from "./anthropic/index.js";
import { github } from "./github/index.js";
import type { Integration, IntegrationKind } from "./types.js";

/**
 * Every integration the app ships, by id, in the manner of renovate's platform list: adding one
 * is its folder and one line here. Everything that composes over integrations (the environment
 * schema, the secret list, the configuration schema, the actions) reads this map.
 */
const INTEGRATIONS: readonly Integration[] = [github, anthropic];

export const integrations: ReadonlyMap<string, Integration> = new Map(INTEGRATIONS.map((integration) => [integration.id, integration]));

export function integrationsOfKind(kind: IntegrationKind, from: Iterable<Integration> = integrations.values()): Integration[] {
  return [...from].filter((integration) => integration.kind === kind);
}
