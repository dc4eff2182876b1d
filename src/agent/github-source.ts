import type { GitHubClient } from "../github/client.js";
import type { RunSnapshot } from "../core/run.js";
import { issueText } from "./context.js";
import type { AgentSource, GitIdentity } from "./session.js";

/**
 * Where an app run's agent gets its issue, git token and identities: the installation's GitHub.
 * Commits are by the app's bot, with the person who asked as co-author, both with their GitHub
 * no-reply addresses so the commits link to their accounts.
 */
export function githubSource(
  octokit: GitHubClient,
  target: { owner: string; repo: string; number: number; actor: string; triggeredAt: Date; snapshot?: RunSnapshot | undefined },
  botLogin?: () => Promise<string | undefined>,
): AgentSource {
  const identity = async (login: string): Promise<GitIdentity> => {
    try {
      const { data } = await octokit.rest.users.getByUsername({ username: login });
      return { name: data.login, email: `${data.id}+${data.login}@users.noreply.github.com` };
    } catch {
      return { name: login, email: `${login}@users.noreply.github.com` };
    }
  };
  return {
    github: octokit,
    issue: () => issueText(octokit, target),
    async token() {
      // An installation client answers auth() with its current installation token.
      const auth = (await octokit.auth({ type: "installation" })) as { token?: unknown };
      return typeof auth.token === "string" ? auth.token : undefined;
    },
    committer: async () => identity((await botLogin?.()) ?? "ai-agent[bot]"),
    requester: () => identity(target.actor),
  };
}
