import { z } from "zod";
import { type RegisteredAction, defineAction } from "../../core/action.js";
import { forge } from "./forge.js";
import { neutralizeForGitHub } from "./safe-markdown.js";
import { githubCreateSubIssues } from "./sub-issues.js";

/**
 * Workflow actions that act on the run's repository through the installation's token. The text
 * they post is a template over step outputs — the model's words — so it is neutralised like all
 * model text: no mention but the requester's, no closing keyword, no raw HTML.
 */

const number = z.number().int().positive().describe("The issue or pull request; the run's when absent.");

export const githubComment = defineAction({
  name: "github.comment",
  description: "Posts a comment on the run's issue or pull request (or the one given).",
  input: z.strictObject({ body: z.string().min(1, "the comment needs a body").describe("The comment, in Markdown; a template."), number: number.optional() }),
  outputs: { id: "the comment's id", url: "the comment's address" },
  async run(input, context) {
    const body = neutralizeForGitHub(input.body, { requester: context.target.actor });
    const posted = await forge(context, "github.comment").comment(input.number ?? context.target.number, body);
    return { id: Number(posted.id), url: posted.url };
  },
  async compensate(_input, outputs, context) {
    await forge(context, "github.comment").deleteComment(String(outputs.id));
  },
});

export const githubAddLabels = defineAction({
  name: "github.add_labels",
  description: "Adds labels to the run's issue or pull request.",
  input: z.strictObject({ labels: z.array(z.string().min(1)).min(1, "expected at least one label").describe("The labels to add."), number: number.optional() }),
  outputs: { labels: "the labels added" },
  async run(input, context) {
    await forge(context, "github.add_labels").addLabels(input.number ?? context.target.number, input.labels);
    return { labels: input.labels };
  },
  async compensate(input, _outputs, context) {
    const vcs = forge(context, "github.add_labels");
    for (const name of input.labels) await vcs.removeLabel(input.number ?? context.target.number, name);
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
    // The one closing reference kept is to the run's own issue: the app's `Closes #N`.
    const body = neutralizeForGitHub(input.body, { requester: context.target.actor, allowClosing: context.target.number });
    // A retried step must not open a second pull request for the same branch: openChangeRequest finds it.
    const opened = await forge(context, "github.create_pull_request").openChangeRequest({ title: input.title, body, head: input.head, ...(input.base ? { base: input.base } : {}), draft: input.draft });
    context.emit("pull_request.opened", { number: opened.number, url: opened.url });
    return { number: opened.number, url: opened.url };
  },
  async compensate(_input, outputs, context) {
    await forge(context, "github.create_pull_request").updateChangeRequest(Number(outputs.number), { state: "closed" });
  },
});

export const githubDeleteBranch = defineAction({
  name: "github.delete_branch",
  description: "Deletes a branch of the repository.",
  input: z.strictObject({ branch: z.string().min(1, "expected a branch name").describe("The branch to delete.") }),
  outputs: {},
  async run(input, context) {
    await forge(context, "github.delete_branch").deleteBranch(input.branch);
    context.emit("branch.deleted", { branch: input.branch });
    return {};
  },
});

/** The actions this integration brings to workflows. */
export const githubActions: readonly RegisteredAction[] = [githubComment, githubAddLabels, githubCreatePullRequest, githubDeleteBranch, githubCreateSubIssues];
