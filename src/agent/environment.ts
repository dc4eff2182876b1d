import path from "node:path";
import type { AppConfig } from "../config/env.js";
import { githubUrls } from "../integrations/github/urls.js";
import type { Sandbox } from "../sandbox/index.js";
import type { Store } from "../store/types.js";
import { ModelClient } from "./model.js";
import type { AgentEnvironment } from "./session.js";
import { type WorkspaceLog, WorkspaceManager } from "./workspace.js";

const usd = (dollars: number) => Math.round(dollars * 1_000_000);

/**
 * The coding agent's server-wide parts, from the environment: model client, git cache, store.
 * `log` hears of the git cache's repairs (stale lock files removed, a broken clone re-created).
 */
export function agentEnvironment(config: AppConfig, store: Store, sandbox: Sandbox, log?: WorkspaceLog): AgentEnvironment {
  const urls = githubUrls(config);
  return {
    ...(config.ANTHROPIC_API_KEY
      ? {
          model: new ModelClient({
            apiKey: config.ANTHROPIC_API_KEY,
            ...(config.ANTHROPIC_BASE_URL ? { baseURL: config.ANTHROPIC_BASE_URL } : {}),
            maxRetries: config.ANTHROPIC_MAX_RETRIES,
          }),
        }
      : {}),
    workspaces: new WorkspaceManager({ cacheDir: path.resolve(config.DATA_DIR, "git"), ...(log ? { log } : {}) }),
    store,
    remoteUrl: (owner, repo) => urls.gitRemote(owner, repo),
    commandTimeoutMs: config.AGENT_COMMAND_TIMEOUT_MS,
    sandbox,
    budgets: {
      perRunMicros: usd(config.BUDGET_MAX_USD_PER_RUN),
      perInstallationMonthMicros: usd(config.BUDGET_MAX_USD_PER_INSTALLATION_MONTH),
      defaultPerRepoMonthMicros: usd(config.BUDGET_DEFAULT_USD_PER_REPO_MONTH),
    },
  };
}
