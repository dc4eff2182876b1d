import { type ApiTokenScope, apiTokenScopes } from "../../store/types.js";

/**
 * What a route needs of an API token. `tokens` (issuing, listing, revoking tokens) is never granted
 * to one, so a leaked token cannot mint itself a successor or hide by revoking the others; a
 * session or a GitHub token acts as the person, with every scope.
 */
export type RouteScope = ApiTokenScope | "tokens";

export const grantableScopes = apiTokenScopes;

/** What each scope lets a token do, in the words the tokens page and the docs use. */
export const scopeDescriptions: Readonly<Record<ApiTokenScope, string>> = {
  "runs:read": "read runs, their steps and model turns",
  "usage:read": "read spend by repository, month, task and person",
  "runs:stop": "stop runs, where you may push to the repository",
  "queue:read": "read the queue's health and the failed jobs you may see",
  "queue:retry": "retry failed jobs, where you administer the repository",
};

/** Why a token with these scopes may not use a route needing `scope`; undefined when it may. */
export function scopeRefusal(granted: readonly ApiTokenScope[], scope: RouteScope): string | undefined {
  if (scope === "tokens") return "API tokens cannot manage API tokens; sign in on the dashboard, or use a GitHub token";
  if (granted.includes(scope)) return undefined;
  return `this API token lacks the scope \`${scope}\`; issue one with it on the dashboard's tokens page`;
}
