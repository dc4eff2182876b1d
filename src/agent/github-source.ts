import type { GitHubClient } from "../integrations/github/client.js";
import { githubVersionControl } from "../integrations/github/version-control.js";
import type { VersionControl } from "../integrations/kinds/version-control.js";
import type { RunSnapshot } from "../core/run.js";
import { issueText } from "./context.js";
import type { AgentSource, GitIdentity } from "./subject.js";

/**
 * Where an app run's agent gets its issue, git token and identities: the installation's GitHub.
 * Commits are by the app's bot, with the person who asked as co-author, both with their GitHub
 * no-reply addresses so the commits link to their accounts.
 */
export function githubSource(
  octokit: GitHubClient,
  target: { owner: string; repo: string; number: number; actor: string; triggeredAt: Date; snapshot?: RunSnapshot | undefined },
  botLogin?: () => Promise<string | undefined>,
  /** The same repository as a VersionControl, when the caller has one already. */
  forge?: VersionControl,
): AgentSource {
  const identity = async (login: string): Promise<GitIdentity> => {
    try {
      const { data } = await octokit.rest.users.getByUsername({ username: login });
      return { name: data.login, email: `${data.id}+${data.login}@users.noreply.github.com` };
    } catch {
      return { name: login, email: `${login}@users.noreply.github.com` };
    }
  };
  const versionControl = forge ?? githubVersionControl(octokit, target);
  return {
    versionControl,
    issue: () => issueText(octokit, target),
    token: () => versionControl.gitToken(),
    committer: async () => identity((await botLogin?.()) ?? "ai-agent[bot]"),
    requester: () => identity(target.actor),
  };
}
