import type { RepositoryParts } from "./kinds/parts.js";
import { type IntegrationSet, envOf } from "./registry.js";
import { type Connection, SETTINGS_SECTION } from "./types.js";

/**
 * The integrations of a set that the server has credentials for, connected once at boot, and
 * their parts for one repository's settings.
 */
export interface ConnectedIntegrations {
  readonly set: IntegrationSet;
  /** By id; an integration the server is not set up for is absent. */
  readonly connections: ReadonlyMap<string, Connection>;
}

/** Connects each integration of `set` whose variables the parsed environment `env` sets. */
export function connectIntegrations(set: IntegrationSet, env: Readonly<Record<string, unknown>>): ConnectedIntegrations {
  const connections = new Map<string, Connection>();
  for (const integration of set.all) {
    // Model providers and forges are connected where they are used (the agent, the App's access).
    if (!(integration.kind in SETTINGS_SECTION)) continue;
    const connection = integration.connect(envOf(integration, env)) as Connection | undefined;
    if (connection) connections.set(integration.id, connection);
  }
  return { set, connections };
}

/** The settings an integration has in a parsed configuration (`notify.slack`), if any. */
export function settingsOf(config: Readonly<Record<string, unknown>>, kind: keyof typeof SETTINGS_SECTION, id: string): unknown {
  const section = SETTINGS_SECTION[kind];
  const values = section ? config[section] : undefined;
  return values && typeof values === "object" ? (values as Record<string, unknown>)[id] : undefined;
}

/** Each connected integration's parts for a repository whose parsed configuration is `config`, by id. */
export function repositoryParts(connected: ConnectedIntegrations, config: Readonly<Record<string, unknown>>): Map<string, RepositoryParts> {
  const parts = new Map<string, RepositoryParts>();
  for (const [id, connection] of connected.connections) {
    const integration = connected.set.get(id);
    if (integration) parts.set(id, connection.forRepository(settingsOf(config, integration.kind, id)));
  }
  return parts;
}
