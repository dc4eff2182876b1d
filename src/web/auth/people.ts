import { z } from "zod";
import { type OAuthClient, SignInRefused, asPerson, currentUser } from "./github-oauth.js";
import { tokenCache } from "./token-cache.js";

/**
 * Who a GitHub token belongs to, for API calls that bring one (`Authorization: Bearer`), kept a
 * minute like the repositories it reads; and whether that person may push to a repository, asked
 * fresh each time since it decides a change (stopping a run), not a view.
 */

export interface People {
  /** The token's person; throws SignInRefused when GitHub does not take the token. */
  whoIs(token: string): Promise<{ login: string; id: number }>;
  /** Whether GitHub says the token's person may push to `owner/name`; false when they cannot see it. */
  canPush(token: string, repo: string): Promise<boolean>;
}

const repositoryAnswer = z.object({ permissions: z.object({ push: z.boolean() }).optional() });

export function people(client: Pick<OAuthClient, "api" | "fetch">, options: { ttlMs?: number; now?: () => number } = {}): People {
  return {
    whoIs: tokenCache((token) => currentUser(client, token), options),
    async canPush(token, repo) {
      const [owner, name] = repo.split("/").map(encodeURIComponent);
      try {
        const answer = await asPerson(client, token, `/repos/${owner}/${name}`, repositoryAnswer);
        return answer.permissions?.push === true;
      } catch (error) {
        // GitHub answers 404 for a repository the person cannot see: no push either.
        if (error instanceof SignInRefused && error.status === 404) return false;
        throw error;
      }
    },
  };
}
