import { type GitHubClient, httpStatus } from "./client.js";
import { collaboratorPermissionSchema } from "./schema.js";

const WRITE_PERMISSIONS = new Set(["admin", "maintain", "write"]);

/**
 * Whether a user may make the app act: write, maintain or admin on the repository. GitHub reports
 * maintain as permission "write" with role_name "maintain"; both fields are checked so a custom
 * role built on write counts too. Not a collaborator (404) means no.
 */
export async function hasWriteAccess(octokit: GitHubClient, owner: string, repo: string, username: string): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username });
    const parsed = collaboratorPermissionSchema.parse(data);
    return WRITE_PERMISSIONS.has(parsed.permission) || WRITE_PERMISSIONS.has(parsed.role_name ?? "");
  } catch (error) {
    if (httpStatus(error) === 404) return false;
    throw error;
  }
}
