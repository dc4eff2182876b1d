import { z } from "zod";
import { type OAuthClient, SignInRefused, asPerson, currentUser } from "./github-oauth.js";
import { tokenCache } from "./token-cache.js";

/**
 * Who a GitHub token belongs to, for API calls that bring one (`Authorization: Bearer`), kept a
 * minute like the repositories it reads; and whether that person may push to, or administer, a
 * repository, asked fresh each time since it decides a change (stopping a run, retrying a job), not
 * a view.
 */

export interface People {
  /** The token's person; throws SignInRefused when GitHub does not take the token. */
  whoIs(token: string): Promise<{ login: string; id: number }>;
  /** Whether GitHub says the token's person may push to `owner/name`; false when they cannot see it. */
  canPush(token: string, repo: string): Promise<boolean>;
  /** Whether GitHub says the token's person has admin permission on `owner/name`; false when they cannot see it. */
  isAdmin(token: string, repo: string): Promise<boolean>;
}

/** GET /repos/{owner}/{repo} for a person: `permissions` is their own on it (absent for an anonymous read). */
const repositoryAnswer = z.object({ permissions: z.object({ push: z.boolean(), admin: z.boolean() }).partial().optional() });

type Permission = "push" | "admin";

export function people(client: Pick<OAuthClient, "api" | "fetch">, options: { ttlMs?: number; now?: () => number } = {}): People {
  return {
    whoIs: tokenCache((token) => currentUser(client, token), options),
    canPush: (token, repo) => has(client, token, repo, "push"),
    isAdmin: (token, repo) => has(client, token, repo, "admin"),
  };
}

async function has(client: Pick<OAuthClient, "api" | "fetch">, token: string, repo: string, permission: Permission): Promise<boolean> {
  const [owner, name] = repo.split("/").map(encodeURIComponent);
  try {
    const answer = await asPerson(client, token, `/repos/${owner}/${name}`, repositoryAnswer);
    return answer.permissions?.[permission] === true;
  } catch (error) {
    // GitHub answers 404 for a repository the person cannot see: no permission either.
    if (error instanceof SignInRefused && error.status === 404) return false;
    throw error;
  }
}
