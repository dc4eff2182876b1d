import { z } from "zod";
import type { GitHubClient } from "../../github/client.js";
import { httpStatus } from "../../github/client.js";
import { neutralizeForGitHub } from "../../github/safe-markdown.js";
import { UserFacingError } from "../../core/errors.js";
import { type ActionContext, defineAction } from "../../core/action.js";

/**
 * Workflow actions that act on the run's repository through the installation's token. The text
 * they post is a template over step outputs — the model's words — so it is neutralised like all
 * model text: no mention but the requester's, no closing keyword, no raw HTML.
 */

function github(context: ActionContext, action: string): GitHubClient {
  const client = context.services.github;
  if (!client) throw new UserFacingError(`${action} needs a GitHub connection, and this run has none.`);
  return client;
}

const number = z.number().int().positive().describe("The issue or pull request; the run's when absent.");

export const githubComment = defineAction({
  name: "github.comment",
  description: "Posts a comment on the run's issue or pull request (or the one given).",
  input: z.strictObject({ body: z.string().min(1, "the comment needs a body").describe("The comment, in Markdown; a template."), number: number.optional() }),
  outputs: { id: "the comment's id", url: "the comment's address" },
  async run(input, context) {
    const { owner, repo, number: target } = context.target;
    const body = neutralizeForGitHub(input.body, { requester: context.target.actor });
    const { data } = await github(context, "github.comment").rest.issues.createComment({ owner, repo, issue_number: input.number ?? target, body });
    return { id: data.id, url: data.html_url };
  },
  async compensate(_input, outputs, context) {
    const { owner, repo } = context.target;
    await ignoreMissing(github(context, "github.comment").rest.issues.deleteComment({ owner, repo, comment_id: Number(outputs.id) }));
  },
});

export const githubAddLabels = defineAction({
  name: "github.add_labels",
  description: "Adds labels to the run's issue or pull request.",
  input: z.strictObject({ labels: z.array(z.string().min(1)).min(1, "expected at least one label").describe("The labels to add."), number: number.optional() }),
  outputs: { labels: "the labels added" },
  async run(input, context) {
    const { owner, repo, number: target } = context.target;
    await github(context, "github.add_labels").rest.issues.addLabels({ owner, repo, issue_number: input.number ?? target, labels: input.labels });
    return { labels: input.labels };
  },
  async compensate(input, _outputs, context) {
    const { owner, repo, number: target } = context.target;
    for (const name of input.labels) {
      await ignoreMissing(github(context, "github.add_labels").rest.issues.removeLabel({ owner, repo, issue_number: input.number ?? target, name }));
    }
  },
});

export const githubCreatePullRequest = defineAction({
  name: "github.create_pull_request",
  description: "Opens a pull request from a pushed branch; a rollback closes it.",
  input: z.strictObject({
    title: z.string().min(1, "the pull request needs a title").max(256, "a pull request title has at most 256 characters").describe("The pull request's title."),
    body: z.string().default("").describe("Its description, in Markdown; a Closes #N of the run's issue is kept."),
    head: z.string().min(1, "expected the branch to merge").describe("The branch to merge, such as \"{{ steps.push.outputs.branch }}\"."),
    base: z.string().min(1).optional().describe("The branch to merge into; the repository's default branch when absent."),
    draft: z.boolean().default(false).describe("Open it as a draft."),
  }),
  outputs: { number: "the pull request's number", url: "its address" },
  async run(input, context) {
    const { owner, repo } = context.target;
    const octokit = github(context, "github.create_pull_request");
    // A retried step must not open a second pull request for the same branch.
    const { data: open } = await octokit.rest.pulls.list({ owner, repo, head: `${owner}:${input.head}`, state: "open", per_page: 1 });
    const existing = open[0];
    if (existing) {
      context.emit("pull_request.opened", { number: existing.number, url: existing.html_url });
      return { number: existing.number, url: existing.html_url };
    }
    const base = input.base ?? (await octokit.rest.repos.get({ owner, repo })).data.default_branch;
    // The one closing reference kept is to the run's own issue: the app's `Closes #N`.
    const body = neutralizeForGitHub(input.body, { requester: context.target.actor, allowClosing: context.target.number });
    const { data } = await octokit.rest.pulls.create({ owner, repo, title: input.title, body, head: input.head, base, draft: input.draft });
    context.emit("pull_request.opened", { number: data.number, url: data.html_url });
    return { number: data.number, url: data.html_url };
  },
  async compensate(_input, outputs, context) {
    const { owner, repo } = context.target;
    await github(context, "github.create_pull_request").rest.pulls.update({ owner, repo, pull_number: Number(outputs.number), state: "closed" });
  },
});

export const githubDeleteBranch = defineAction({
  name: "github.delete_branch",
  description: "Deletes a branch of the repository.",
  input: z.strictObject({ branch: z.string().min(1, "expected a branch name").describe("The branch to delete.") }),
  outputs: {},
  async run(input, context) {
    const { owner, repo } = context.target;
    await ignoreMissing(github(context, "github.delete_branch").rest.git.deleteRef({ owner, repo, ref: `heads/${input.branch}` }));
    return {};
  },
});

/** Undoing something already gone is done. */
async function ignoreMissing(request: Promise<unknown>): Promise<void> {
  try {
    await request;
  } catch (error) {
    const status = httpStatus(error);
    if (status !== 404 && status !== 422) throw error;
  }
}
