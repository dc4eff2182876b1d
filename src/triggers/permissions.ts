import { z } from "zod";
import { type GitHubClient, httpStatus } from "../integrations/github/client.js";

const permissionResponse = z.object({
  permission: z.string(),
  role_name: z.string().optional(),
});

const WRITE_PERMISSIONS = new Set(["admin", "maintain", "write"]);

/**
 * Whether a user may make the app act: write, maintain or admin on the repository. GitHub reports
 * maintain as permission "write" with role_name "maintain"; both fields are checked so a custom
 * role built on write counts too. Not a collaborator (404) means no.
 */
export async function hasWriteAccess(octokit: GitHubClient, owner: string, repo: string, username: string): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username });
    const parsed = permissionResponse.parse(data);
    return WRITE_PERMISSIONS.has(parsed.permission) || WRITE_PERMISSIONS.has(parsed.role_name ?? "");
  } catch (error) {
    if (httpStatus(error) === 404) return false;
    throw error;
  }
}

/** A bot account may act only when the repository's config allow-lists it by login. */
export function isAllowedSender(sender: { login: string; type: string }, allowBots: readonly string[]): boolean {
  return sender.type !== "Bot" || allowBots.includes(sender.login);
}
