import { defaultRepoConfig } from "../../src/config/repo-config-schema.js";
import type { ActionContext } from "../../src/core/action.js";
import { connectIntegrations, repositoryParts } from "../../src/integrations/connect.js";
import { builtInIntegrations } from "../../src/integrations/registry.js";

/**
 * The built-in integrations' actions as a workflow step runs them: connected from the server's
 * variables `env`, given the parts for a repository whose `notify:` section is `notify`.
 */
export function integrationActions(env: Record<string, string>, notify: Record<string, unknown>) {
  const config = { ...defaultRepoConfig(), notify };
  const connected = connectIntegrations(builtInIntegrations, env);
  const action = (name: string) => builtInIntegrations.actions.find((a) => a.name === name)!;
  /** `extra` adds to an integration's parts by id, as a run does (its linked Jira issue: `{ jira: { taskKey } }`). */
  const context = (extra: Record<string, Record<string, unknown>> = {}): ActionContext => {
    const parts = repositoryParts(connected, config);
    return {
      target: { runId: "r", owner: "acme", repo: "widgets", number: 7, actor: "octocat" },
      services: { integrations: Object.fromEntries([...parts].map(([id, part]) => [id, { ...part, ...extra[id] }])) },
      signal: new AbortController().signal,
      emit: () => undefined,
    };
  };
  const run = (name: string, input: unknown, ctx = context()) => action(name).run(action(name).input.parse(input), ctx);
  return { action, context, run };
}
