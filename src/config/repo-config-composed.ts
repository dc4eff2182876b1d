import { type IntegrationSet, builtInIntegrations } from "../integrations/registry.js";
import { type RepoConfigSchema, buildRepoConfigSchema } from "./repo-config-schema.js";

/**
 * The configuration schema as a server (or a test) has it: the core's sections and the settings of
 * each integration in its set, under `notify.<id>` or `docs.<id>`, and the doc stores' `plan.context.<id>`.
 */

const schemas = new WeakMap<IntegrationSet, RepoConfigSchema>();

/** Built once per set. */
export function repoConfigSchemaFor(set: IntegrationSet): RepoConfigSchema {
  let schema = schemas.get(set);
  if (!schema) schemas.set(set, (schema = buildRepoConfigSchema(set.settings, set.planContext)));
  return schema;
}

/** The server's: the integrations it ships. */
export const repoConfigSchema = repoConfigSchemaFor(builtInIntegrations);
