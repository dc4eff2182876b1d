import { z } from "zod";
import type { RepoConfig } from "../config/repo-config-schema.js";
import { type IntegrationSet, builtInIntegrations } from "../integrations/registry.js";

/**
 * The configuration as templates see it. Templates use strict variables, so a setting that is
 * absent unless written (`agent.commands.test`, `notify.slack`) is present here as null: a
 * condition such as `if: config.notify.slack` reads false instead of failing as unknown.
 */
export function configScope(config: RepoConfig, integrations: IntegrationSet = builtInIntegrations): Record<string, unknown> {
  // The workflows themselves are not for templates to read.
  const rest: Omit<RepoConfig, "workflows"> & { workflows?: unknown } = structuredClone(config);
  delete rest.workflows;
  return {
    ...rest,
    triggers: { rate_limit_per_hour: null, ...rest.triggers },
    budgets: { usd_per_repo_month: null, ...rest.budgets },
    agent: { ...rest.agent, commands: { install: null, test: null, lint: null, build: null, ...rest.agent.commands } },
    ...integrationScopes(rest, integrations),
  };
}

/** Each integration's settings section (`notify`) with every integration of the set in it, null when unset. */
function integrationScopes(config: Readonly<Record<string, unknown>>, integrations: IntegrationSet): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(integrations.settings).map(([section, schemas]) => {
      const written = (config[section] ?? {}) as Record<string, unknown>;
      return [section, Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, withNulls(schema, written[id])]))];
    }),
  );
}

/** Settings with each key their schema knows but the file left out as null (`notify.slack.channel`). */
function withNulls(schema: z.ZodType, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  const shape = objectShape(schema);
  if (!shape || typeof value !== "object") return value;
  return { ...Object.fromEntries(Object.keys(shape).map((key) => [key, null])), ...value };
}

function objectShape(schema: z.ZodType): Record<string, unknown> | undefined {
  if (schema instanceof z.ZodPipe) return objectShape(schema.out as z.ZodType);
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) return objectShape(schema.unwrap() as z.ZodType);
  return schema instanceof z.ZodObject ? schema.shape : undefined;
}
