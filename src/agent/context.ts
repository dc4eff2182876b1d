import path from "node:path";
import type { RunSnapshot } from "../core/run.js";
import type { GitHubClient } from "../integrations/github/client.js";
import { hasWriteAccess } from "../triggers/permissions.js";
import type { PathPolicy } from "../workspace/paths.js";
import { sanitize } from "./sanitize.js";
import { workspaceFiles } from "./tools/search.js";

/**
 * What the agent is told about its task and repository. Text from the issue reaches the model only
 * from people with write access, and sanitised (./sanitize.ts): what does not render on GitHub is
 * removed, since a reader of the issue would not see it. Comments edited after the trigger
 * are left out, so nobody can change the instructions once the run was asked for.
 */

/** Kept here, where the issue text is read, for its callers; the rules are in ./sanitize.ts. */
export { sanitize };

export interface IssueText {
  number: number;
  title: string;
  author: string;
  /** Empty when the author lacks write access (see `bodyWithheld`). */
  body: string;
  bodyWithheld: boolean;
  comments: { author: string; body: string }[];
  /** Comments left out: by people without write access, or edited after the trigger. */
  omittedComments: number;
  /** The title or body changed after the trigger; the run used them as they were. */
  editedAfterTrigger?: boolean;
  /** Label names, which pick the commit type (fix, docs, feat). */
  labels: string[];
}

const MAX_COMMENTS = 50;
const MAX_TEXT = 20_000;

/**
 * The issue as the run was asked for it: with a snapshot (the event's title, body and time), the
 * title and body are the snapshot's, and comments edited after the event are left out, whoever
 * edited them; `editedAfterTrigger` says the issue has changed since, so the run can say so.
 */
export async function issueText(
  octokit: GitHubClient,
  target: { owner: string; repo: string; number: number; triggeredAt: Date; snapshot?: RunSnapshot | undefined },
): Promise<IssueText> {
  const { owner, repo, number } = target;
  const writers = new Map<string, Promise<boolean>>();
  const canWrite = (login: string | undefined) => {
    if (!login) return Promise.resolve(false);
    if (!writers.has(login)) writers.set(login, hasWriteAccess(octokit, owner, repo, login));
    return writers.get(login)!;
  };
  const { data: issue } = await octokit.rest.issues.get({ owner, repo, issue_number: number });
  const { snapshot } = target;
  const asked = snapshot ?? { title: issue.title, body: issue.body ?? "", author: issue.user?.login ?? "ghost" };
  const cutoff = snapshot ? new Date(snapshot.at) : target.triggeredAt;
  const author = asked.author;
  const bodyAllowed = await canWrite(author === "ghost" ? undefined : author);
  const all = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: number, per_page: 100 });
  const comments: IssueText["comments"] = [];
  let omitted = 0;
  for (const comment of all) {
    const edited = new Date(comment.updated_at).getTime() > cutoff.getTime();
    const keep = !edited && comment.user?.type !== "Bot" && (await canWrite(comment.user?.login));
    const body = keep ? sanitize(comment.body ?? "") : "";
    if (keep && body) comments.push({ author: comment.user?.login ?? "ghost", body: body.slice(0, MAX_TEXT) });
    else omitted++;
  }
  return {
    number,
    title: sanitize(asked.title),
    author,
    body: bodyAllowed ? sanitize(asked.body).slice(0, MAX_TEXT) : "",
    bodyWithheld: !bodyAllowed && Boolean(asked.body),
    editedAfterTrigger: snapshot !== undefined && (issue.title !== snapshot.title || (issue.body ?? "") !== snapshot.body),
    comments: comments.slice(-MAX_COMMENTS),
    omittedComments: omitted + Math.max(0, comments.length - MAX_COMMENTS),
    labels: issue.labels.map((label) => (typeof label === "string" ? label : (label.name ?? ""))),
  };
}

/** What the tracking comment adds when the issue changed after the request. */
export function editedNote(issue: { editedAfterTrigger?: boolean | undefined }): string {
  return issue.editedAfterTrigger ? "\n\n_The issue was edited after the request; this run used its title and body as they were when it was asked for._" : "";
}

/** The repository's instructions for agents, when it has them. */
export const INSTRUCTION_FILES = ["AGENTS.md", "CLAUDE.md", ".github/copilot-instructions.md"] as const;
const MAX_INSTRUCTIONS = 8_000;
const MAX_INSTRUCTION_BYTES = 1024 * 1024;

/**
 * Read through the path policy like any file the model asks for: an instructions file that is a
 * link out of the workspace (`AGENTS.md -> /proc/self/environ`), or nowhere, is skipped unread.
 */
export async function repositoryInstructions(policy: PathPolicy): Promise<{ file: string; text: string }[]> {
  const found: { file: string; text: string }[] = [];
  for (const file of INSTRUCTION_FILES) {
    const text = await policy.readText(file, MAX_INSTRUCTION_BYTES).catch(() => undefined);
    if (text?.trim()) found.push({ file, text: text.length > MAX_INSTRUCTIONS ? `${text.slice(0, MAX_INSTRUCTIONS)}\n… (cut)` : text.trim() });
  }
  return found;
}

/**
 * A compact map of the repository: every directory with its number of files, and the files of the
 * top levels, within a fixed size, so the model knows where to look without reading the tree.
 */
export async function repositoryMap(policy: PathPolicy, maxCharacters = 6_000): Promise<string> {
  const files = (await workspaceFiles(policy)).map((file) => file.relative);
  const perDirectory = new Map<string, number>();
  for (const file of files) {
    const dir = path.posix.dirname(file);
    perDirectory.set(dir, (perDirectory.get(dir) ?? 0) + 1);
  }
  const lines = [`${files.length} files.`];
  const shallow = files.filter((file) => file.split("/").length <= 2);
  for (const file of shallow) lines.push(file);
  lines.push("", "Directories (files directly inside):");
  for (const [dir, count] of [...perDirectory].sort(([a], [b]) => a.localeCompare(b))) if (dir !== ".") lines.push(`${dir}/ (${count})`);
  let map = "";
  for (const line of lines) {
    if (map.length + line.length + 1 > maxCharacters) return `${map}… (map cut; use find_files)`;
    map += `${line}\n`;
  }
  return map.trimEnd();
}
