import type { RepoConfig } from "../config/repo-config-schema.js";

/**
 * The configuration as templates see it. Templates use strict variables, so a setting that is
 * absent unless written (`agent.commands.test`, `notify.slack`) is present here as null: a
 * condition such as `if: config.notify.slack` reads false instead of failing as unknown.
 */
export function configScope(config: RepoConfig): Record<string, unknown> {
  // The workflows themselves are not for templates to read.
  const rest: Omit<RepoConfig, "workflows"> & { workflows?: unknown } = structuredClone(config);
  delete rest.workflows;
  return {
    ...rest,
    triggers: { rate_limit_per_hour: null, ...rest.triggers },
    budgets: { usd_per_repo_month: null, ...rest.budgets },
    agent: { ...rest.agent, commands: { install: null, test: null, lint: null, build: null, ...rest.agent.commands } },
    notify: {
      slack: rest.notify.slack ? { channel: null, ...rest.notify.slack } : null,
      jira: rest.notify.jira ?? null,
    },
  };
}
