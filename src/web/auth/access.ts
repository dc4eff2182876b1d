import { z } from "zod";
import { type OAuthClient, asPerson } from "./github-oauth.js";
import { tokenCache } from "./token-cache.js";

/**
 * Which repositories a signed-in person may see runs of: those of this App's installations that
 * GitHub lists for their own token (`/user/installations`, then each one's repositories), so the
 * answer is GitHub's, never ours. It is kept a short while per token, since every page asks.
 */

const PER_PAGE = 100;
/** Pages of repositories read per installation; an installation on more is read to here. */
const MAX_PAGES = 20;

const installations = z.object({ installations: z.array(z.object({ id: z.number(), app_id: z.number() })) });
const repositories = z.object({ total_count: z.number(), repositories: z.array(z.object({ full_name: z.string() })) });

export interface RepositoryAccess {
  /** `owner/repo` names, lower-cased. */
  readable(token: string): Promise<ReadonlySet<string>>;
}

export function repositoryAccess(client: Pick<OAuthClient, "api" | "fetch">, appId: number | undefined, options: { ttlMs?: number; now?: () => number } = {}): RepositoryAccess {
  const read = async (token: string): Promise<ReadonlySet<string>> => {
    const names = new Set<string>();
    const { installations: list } = await asPerson(client, token, `/user/installations?per_page=${PER_PAGE}`, installations);
    for (const installation of list.filter((i) => appId === undefined || i.app_id === appId)) {
      for (let page = 1; page <= MAX_PAGES; page++) {
        const { repositories: repos, total_count } = await asPerson(client, token, `/user/installations/${installation.id}/repositories?per_page=${PER_PAGE}&page=${page}`, repositories);
        for (const repo of repos) names.add(repo.full_name.toLowerCase());
        if (repos.length < PER_PAGE || page * PER_PAGE >= total_count) break;
      }
    }
    return names;
  };
  return { readable: tokenCache(read, options) };
}
