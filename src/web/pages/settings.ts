import type { AppConfig } from "../../config/env.js";
import { microsFromUsd } from "../../core/format.js";
import { githubUrls } from "../../integrations/github/urls.js";
import { runLinkKey } from "../run-links.js";
import type { DashboardDeps } from "./page-context.js";

export type DashboardSettings = Omit<DashboardDeps, "store" | "readers">;

/** The dashboard as the environment sets it: forms keyed like the sessions, links to the configured GitHub. */
export function dashboardSettings(
  config: Pick<AppConfig, "GHE_HOST" | "GHE_PROTOCOL" | "RUN_LINK_SECRET" | "privateKey" | "WEBHOOK_SECRET" | "BUDGET_DEFAULT_USD_PER_REPO_MONTH">,
): DashboardSettings {
  return {
    formKey: runLinkKey(config),
    githubWeb: githubUrls(config).web,
    defaultRepoBudgetMicros: microsFromUsd(config.BUDGET_DEFAULT_USD_PER_REPO_MONTH),
  };
}
