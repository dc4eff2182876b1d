import type { GitHubEnv } from "./env.js";

/**
 * Where GitHub lives for this installation. Every GitHub call the app makes — REST, GraphQL and
 * git over HTTPS — takes its address from here, so a GitHub Enterprise Server set by GHE_HOST is
 * never bypassed by a hard-coded github.com.
 */
export interface GitHubUrls {
  /** REST base URL, as Octokit's `baseUrl`. */
  api: string;
  /** GraphQL endpoint. */
  graphql: string;
  /** The web host, for links and the setup page. */
  web: string;
  /** The HTTPS remote for a repository, without credentials. */
  gitRemote(owner: string, repo: string): string;
}

export function githubUrls(config: Pick<GitHubEnv, "GHE_HOST" | "GHE_PROTOCOL">): GitHubUrls {
  if (!config.GHE_HOST) {
    return {
      api: "https://api.github.com",
      graphql: "https://api.github.com/graphql",
      web: "https://github.com",
      gitRemote: (owner, repo) => `https://github.com/${owner}/${repo}.git`,
    };
  }
  const web = `${config.GHE_PROTOCOL}://${config.GHE_HOST}`;
  return {
    api: `${web}/api/v3`,
    graphql: `${web}/api/graphql`,
    web,
    gitRemote: (owner, repo) => `${web}/${owner}/${repo}.git`,
  };
}
