import {
  type ChangeRequest,
  type ChangedFile,
  type CheckOutput,
  type CommentMarker,
  LineCommentsRefused,
  type MarkedComment,
  type SubIssue,
  type VersionControl,
  type VersionControlCapability,
  connectionId,
} from "../kinds/version-control.js";
import { type GitHubClient, httpStatus } from "./client.js";
import { githubConversation } from "./conversation.js";
import { hasWriteAccess } from "./permissions.js";
import { fileContentSchema, installationAuthSchema } from "./schema.js";
import { githubUrls } from "./urls.js";

/**
 * One repository on GitHub through an installation's Octokit, as the core's VersionControl. Each
 * method is the GitHub calls the core made itself before; what GitHub-specific care they took
 * (pagination, 404 on a thing already gone, 422 on a line outside the diff) is kept here.
 */

const CAPABILITIES: ReadonlySet<VersionControlCapability> = new Set(["reviews", "checks", "reactions", "sub-issues", "draft-change-requests", "review-threads"]);
const PER_PAGE = 100;

export interface GitHubRepository {
  owner: string;
  repo: string;
  /** The installation, for the connection id; absent for a client not tied to one (tests, the CLI). */
  installationId?: number | undefined;
  /** Where GitHub lives (GHE_HOST); github.com when absent. */
  urls?: Pick<ReturnType<typeof githubUrls>, "gitRemote" | "web">;
}

/** The fields of GitHub's pull request the core reads. */
export interface GitHubPullData {
  number: number;
  title: string;
  body: string | null;
  state: string;
  draft?: boolean;
  html_url: string;
  user: { login: string } | null;
  head: { ref: string; sha: string; repo?: { full_name: string } | null };
  base: { ref: string };
}

export function changeRequestFrom(data: GitHubPullData): ChangeRequest {
  return {
    number: data.number,
    title: data.title,
    body: data.body ?? "",
    state: data.state,
    draft: data.draft ?? false,
    author: data.user?.login ?? null,
    head: { ref: data.head.ref, sha: data.head.sha, ...(data.head.repo !== undefined ? { repo: data.head.repo?.full_name ?? null } : {}) },
    base: { ref: data.base.ref },
    url: data.html_url,
  };
}

export function githubVersionControl(octokit: GitHubClient, target: GitHubRepository): VersionControl {
  const { owner, repo } = target;
  const urls = target.urls ?? githubUrls({ GHE_HOST: undefined, GHE_PROTOCOL: "https" });

  const commentsOf = (number: number) => octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: number, per_page: PER_PAGE });
  const findComment = async (number: number, which: CommentMarker): Promise<MarkedComment | undefined> => {
    const comments = await commentsOf(number);
    // Only the app's own comment counts: anyone else could write the marker.
    const found = comments.reverse().find((c) => c.user?.login === which.author && (c.body ?? "").startsWith(which.marker));
    return found ? { id: String(found.id), url: found.html_url, body: found.body ?? "" } : undefined;
  };

  return {
    connection: connectionId("github", target.installationId ?? "local"),
    webUrl: `${urls.web}/${owner}/${repo}`,
    supports: (capability) => CAPABILITIES.has(capability),
    ...githubConversation(octokit, owner, repo),

    async readFile(path, ref) {
      try {
        const { data } = await octokit.rest.repos.getContent({ owner, repo, path, ...(ref ? { ref } : {}) });
        const file = fileContentSchema.safeParse(data);
        if (!file.success) return undefined;
        return new TextDecoder("utf-8").decode(Buffer.from(file.data.content, "base64"));
      } catch (error) {
        if (httpStatus(error) === 404) return undefined;
        throw error;
      }
    },
    async defaultBranch() {
      return (await octokit.rest.repos.get({ owner, repo })).data.default_branch;
    },
    async branchHead(branch) {
      try {
        return (await octokit.rest.repos.getBranch({ owner, repo, branch })).data.commit.sha;
      } catch (error) {
        if (httpStatus(error) === 404) return undefined;
        throw error;
      }
    },
    deleteBranch: (branch) => ignoreGone(octokit.rest.git.deleteRef({ owner, repo, ref: `heads/${branch}` })),

    async issue(number) {
      const { data } = await octokit.rest.issues.get({ owner, repo, issue_number: number });
      return {
        number: data.number,
        title: data.title,
        body: data.body ?? "",
        state: data.state,
        author: data.user?.login ?? null,
        labels: data.labels.map((label) => (typeof label === "string" ? label : (label.name ?? ""))),
        url: data.html_url,
      };
    },
    async changeRequest(number) {
      return changeRequestFrom((await octokit.rest.pulls.get({ owner, repo, pull_number: number })).data);
    },
    async changedFiles(number) {
      const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner, repo, pull_number: number, per_page: PER_PAGE });
      return files.map(toChangedFile);
    },
    async compare(base, head) {
      // The compare API pages its files but has no Link header pagination Octokit follows.
      const files: ChangedFile[] = [];
      for (let page = 1; ; page++) {
        const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ owner, repo, basehead: `${base}...${head}`, per_page: PER_PAGE, page });
        const batch = data.files ?? [];
        files.push(...batch.map(toChangedFile));
        if (batch.length < PER_PAGE) return files;
      }
    },
    canWrite: (login) => hasWriteAccess(octokit, owner, repo, login),

    async comment(number, body) {
      const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body });
      return { id: String(data.id), url: data.html_url };
    },
    findComment,
    async ensureComment(number, body, which) {
      const id = which.id ?? (which.find ? (await findComment(number, which.find))?.id : undefined);
      if (id !== undefined) {
        const { data } = await octokit.rest.issues.updateComment({ owner, repo, comment_id: Number(id), body });
        return { id: String(data.id), url: data.html_url };
      }
      const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body });
      return { id: String(data.id), url: data.html_url };
    },
    deleteComment: (id) => ignoreGone(octokit.rest.issues.deleteComment({ owner, repo, comment_id: Number(id) })),
    async react(on, reaction) {
      if ("comment" in on) await octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: Number(on.comment), content: reaction });
      else await octokit.rest.reactions.createForIssue({ owner, repo, issue_number: on.issue, content: reaction });
    },
    async addLabels(number, labels) {
      await octokit.rest.issues.addLabels({ owner, repo, issue_number: number, labels: [...labels] });
    },
    removeLabel: (number, name) => ignoreGone(octokit.rest.issues.removeLabel({ owner, repo, issue_number: number, name })),

    async subIssues(parent) {
      const listed = await octokit.paginate(octokit.rest.issues.listSubIssues, { owner, repo, issue_number: parent, per_page: PER_PAGE });
      return listed.map(toSubIssue);
    },
    async createSubIssue(parent, issue) {
      const { data: created } = await octokit.rest.issues.create({ owner, repo, title: issue.title, body: issue.body });
      try {
        // GitHub links a sub-issue by its id, not its number.
        await octokit.rest.issues.addSubIssue({ owner, repo, issue_number: parent, sub_issue_id: created.id });
      } catch (error) {
        // An issue that is no sub-issue would not be found by a retry, which would open another:
        // close it, so what the retry opens is the only one left open.
        await ignoreGone(octokit.rest.issues.update({ owner, repo, issue_number: created.number, state: "closed", state_reason: "not_planned" })).catch(() => undefined);
        throw error;
      }
      return toSubIssue(created);
    },
    closeIssue: (number, reason) => ignoreGone(octokit.rest.issues.update({ owner, repo, issue_number: number, state: "closed", state_reason: reason })),

    async openChangeRequest(draft) {
      const { data: open } = await octokit.rest.pulls.list({ owner, repo, head: `${owner}:${draft.head}`, state: "open", per_page: 1 });
      const existing = open[0];
      if (existing) return { number: existing.number, url: existing.html_url };
      const base = draft.base ?? (await octokit.rest.repos.get({ owner, repo })).data.default_branch;
      const { data } = await octokit.rest.pulls.create({ owner, repo, title: draft.title, body: draft.body, head: draft.head, base, draft: draft.draft });
      return { number: data.number, url: data.html_url };
    },
    async updateChangeRequest(number, update) {
      await octokit.rest.pulls.update({ owner, repo, pull_number: number, ...update });
    },

    async findReview(number, which) {
      const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, { owner, repo, pull_number: number, per_page: PER_PAGE });
      return reviews.find((r) => r.user?.login === which.author && (r.body ?? "").startsWith(which.marker))?.html_url;
    },
    async publishReview(review) {
      const comments = review.comments.map((comment) => ({ ...comment }));
      try {
        const { data } = await octokit.rest.pulls.createReview({ owner, repo, pull_number: review.number, commit_id: review.head, event: review.event, body: review.body, ...(comments.length > 0 ? { comments } : {}) });
        return data.html_url;
      } catch (error) {
        // GitHub answers 422 when a comment's line is not one of the diff as it resolves it.
        if (httpStatus(error) === 422 && comments.length > 0) throw new LineCommentsRefused(error);
        throw error;
      }
    },

    async openCheck(check) {
      const { data: existing } = await octokit.rest.checks.listForRef({ owner, repo, ref: check.head, check_name: check.name, filter: "all", per_page: PER_PAGE });
      const earlier = existing.check_runs.find((run) => run.external_id === check.externalId);
      if (earlier) return String(earlier.id);
      const { data } = await octokit.rest.checks.create({ owner, repo, name: check.name, head_sha: check.head, external_id: check.externalId, status: "queued" });
      return String(data.id);
    },
    async updateCheck(id, update) {
      const check_run_id = Number(id);
      // GitHub takes at most 65,535 characters of a check's summary, and as many of its text.
      const output = (o: CheckOutput) => ({ title: o.title, summary: o.summary.slice(0, 65_000), ...(o.text ? { text: o.text.slice(0, 65_000) } : {}) });
      if (update.status === "in_progress") {
        await octokit.rest.checks.update({
          owner,
          repo,
          check_run_id,
          status: "in_progress",
          ...(update.startedAt ? { started_at: update.startedAt.toISOString() } : {}),
          ...(update.output ? { output: output(update.output) } : {}),
        });
        return;
      }
      await octokit.rest.checks.update({ owner, repo, check_run_id, status: "completed", conclusion: update.conclusion, completed_at: update.completedAt.toISOString(), output: output(update) });
    },

    gitRemote: () => urls.gitRemote(owner, repo),
    async gitToken() {
      // An installation client answers auth() with its current installation token.
      const auth = installationAuthSchema.safeParse(await octokit.auth({ type: "installation" }));
      return auth.success ? auth.data.token : undefined;
    },
  };
}

function toChangedFile(file: { filename: string; status: string; additions: number; deletions: number; patch?: string | undefined }): ChangedFile {
  return { path: file.filename, status: file.status, additions: file.additions, deletions: file.deletions, ...(file.patch ? { patch: file.patch } : {}) };
}

function toSubIssue(issue: { number: number; body?: string | null | undefined; state: string; html_url: string }): SubIssue {
  return { number: issue.number, body: issue.body ?? "", state: issue.state, url: issue.html_url };
}

/** Undoing something already gone is done. */
async function ignoreGone(request: Promise<unknown>): Promise<void> {
  try {
    await request;
  } catch (error) {
    const status = httpStatus(error);
    if (status !== 404 && status !== 422) throw error;
  }
}
