import { z } from "zod";

/**
 * The parts of GitHub's answers we rely on where Octokit's types do not tell us (a union we must
 * narrow, an `unknown`, a body read outside Octokit): checked here, at the edge, so a surprise is
 * an error that says what was expected instead of an `undefined` three calls later.
 */

/** `octokit.auth({ type: "installation" })` of an installation client: the token it holds now. */
export const installationAuthSchema = z.object({ token: z.string().min(1) });

/** `GET /repos/{owner}/{repo}/collaborators/{username}/permission`. */
export const collaboratorPermissionSchema = z.object({
  permission: z.string(),
  role_name: z.string().optional(),
});

/** `POST /app/installations/{id}/access_tokens`, read by the fetch wrapper before Octokit sees it. */
export const accessTokenSchema = z.object({ token: z.string(), expires_at: z.string().optional().catch(undefined) });

/** `GET /repos/{owner}/{repo}/contents/{path}` for a regular file (the API also answers directories and links). */
export const fileContentSchema = z.object({
  type: z.literal("file"),
  encoding: z.literal("base64"),
  content: z.string(),
});
