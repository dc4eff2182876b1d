import { z } from "zod";
import { fixCi } from "../../agent/fix-ci.js";
import { implement } from "../../agent/implement.js";
import { plan } from "../../agent/plan.js";
import { ask } from "../../review/ask.js";
import { review } from "../../review/review.js";
import type { ModelRun } from "../../agent/model-access.js";
import type { RunWorkspace } from "../../agent/run-workspace.js";
import type { CodingRun } from "../../agent/coding-tools.js";
import { UserFacingError } from "../../core/errors.js";
import { type ActionContext, defineAction } from "../../core/action.js";
import { githubDeleteBranch } from "../../integrations/github/actions.js";

/** The model's actions — `ai.plan`, `ai.implement`, `ai.fix_ci`, `ai.review`, `ai.ask` — and `git.push` of what the agent committed. */

/** The run's subject and model access: all `ai.review` and `ai.ask` take. */
function modelRun(context: ActionContext, action: string): ModelRun {
  const { subject, model } = context.services;
  if (!subject || !model) throw new UserFacingError(`${action} needs the coding agent, and this run has none.`);
  return { ...subject, model };
}

function runWorkspace(context: ActionContext, action: string): RunWorkspace {
  const workspace = context.services.runWorkspace;
  if (!workspace) throw new UserFacingError(`${action} needs the coding agent, and this run has none.`);
  return workspace;
}

/** The model, the run's workspace, what the run is about and where its tool calls go: what the coding agent works with. */
export function codingAgent(context: ActionContext, action: string): CodingRun {
  const events = context.services.runEvents?.forStep(context.stepId);
  return { ...modelRun(context, action), workspace: runWorkspace(context, action), ...(events ? { events } : {}) };
}

const instructions = z.string().optional().describe("More instructions for the model, added to its task.");

export const aiPlan = defineAction({
  name: "ai.plan",
  description: "Asks the model for a plan of the issue: summary, steps, files likely touched, risks, open questions, estimate; posts it as a comment unless comment is false.",
  input: z.strictObject({ instructions, comment: z.boolean().default(true).describe("Post the plan as a comment on the issue.") }),
  outputs: {
    summary: "the plan's summary",
    steps: "the steps' titles, a list",
    tasks: "the steps as a list of { title, details }, for github.create_sub_issues or jira.create_tasks",
    files: "files likely touched, a list",
    comment_url: "the plan comment's address; null with comment: false",
    body: "the whole plan as markdown, as its comment shows it, without note",
    note: "that the issue was edited after the request, to end what shows the plan with; empty otherwise",
  },
  run: (input, context) => plan(codingAgent(context, "ai.plan"), input, context.signal, context.services.integrations),
});

export const aiImplement = defineAction({
  name: "ai.implement",
  description: "Runs the coding agent on the run's branch, then commits and pushes what it changed; a rollback deletes the pushed branch.",
  input: z.strictObject({
    instructions,
    plan: z.string().optional().describe("A plan to follow, such as \"{{ steps.plan.outputs.summary }}\"."),
    branch_prefix: z
      .string()
      .regex(/^[A-Za-z0-9._/-]+\/$/, 'expected a branch prefix ending in "/", such as "ai/"')
      .default("ai/")
      .describe("The start of the branch's name, ending in /; the issue number and its title follow."),
    max_turns: z.number().int().min(1).max(500).optional().describe("The most model turns for this step; agent.max_turns when absent."),
    /** When set, edits outside these globs are refused. */
    allowed_paths: z
      .array(z.string().min(1, "expected a glob pattern"), "expected a list of glob patterns")
      .optional()
      .describe("Globs the agent may edit; edits elsewhere are refused. Any path not protected when absent."),
  }),
  outputs: {
    branch: "the branch the commits are on",
    changed: "whether anything changed",
    summary: "what the agent did",
    files_changed: "the changed files, a list",
    commits: "the number of commits on the branch",
    sha: "the pushed commit; absent when nothing changed",
    pr_body: "a pull request body: summary, Closes #N, cost, files, commands run",
  },
  async run(input, context) {
    const outputs = await implement(codingAgent(context, "ai.implement"), input, context.signal);
    if (outputs.changed && outputs.sha) context.emit("branch.pushed", { branch: outputs.branch, sha: outputs.sha });
    return outputs;
  },
  // What it pushed goes again: a rollback deletes the branch (the pull request step closes its own).
  async compensate(_input, outputs, context) {
    if (outputs.changed === true && typeof outputs.branch === "string") await githubDeleteBranch.run({ branch: outputs.branch }, context);
  },
});

export const gitPush = defineAction({
  name: "git.push",
  description: "Makes sure the branch is on the remote (pushing the workspace's commits); a rollback deletes the pushed branch.",
  input: z.strictObject({ branch: z.string().min(1, "expected a branch name").describe("The branch to push, such as \"{{ steps.code.outputs.branch }}\".") }),
  outputs: { branch: "the branch pushed", sha: "the pushed commit" },
  async run(input, context) {
    const workspace = runWorkspace(context, "git.push").current();
    if (workspace?.branch === input.branch) {
      const sha = await workspace.push();
      context.emit("branch.pushed", { branch: input.branch, sha });
      return { branch: input.branch, sha };
    }
    // Resumed on another worker: ai.implement pushed before it finished, so the branch is there.
    const sha = await context.services.versionControl?.branchHead(input.branch);
    if (sha) return { branch: input.branch, sha };
    throw new UserFacingError(`The branch ${input.branch} is not on the remote and this worker has no workspace with it; start the run again.`);
  },
  async compensate(input, _outputs, context) {
    await githubDeleteBranch.run({ branch: input.branch }, context);
  },
});

export const aiReview = defineAction({
  name: "ai.review",
  description: "Reviews the pull request: one review with inline comments on lines of the diff, a summary comment edited in place, and an \"ai-agent review\" check run. Incremental after a push unless full is true.",
  input: z.strictObject({ full: z.boolean().default(false).describe("Review the whole pull request, not only what changed since the last review."), instructions }),
  outputs: { review_url: "the review's address", findings: "the number of findings", summary: "the review's summary" },
  async run(input, context) {
    const outputs = await review(modelRun(context, "ai.review"), input, context.signal);
    if (outputs.review_url) context.emit("review.posted", { url: outputs.review_url, findings: outputs.findings });
    return outputs;
  },
});

export const aiAsk = defineAction({
  name: "ai.ask",
  description: "Answers a question about the issue or pull request (with its diff as context) in a reply.",
  input: z.strictObject({ question: z.string().min(1, "expected the question").describe("The question to answer.") }),
  outputs: { answer: "the answer", comment_url: "the reply's address" },
  run: (input, context) => ask(modelRun(context, "ai.ask"), input, context.signal),
});

export const aiFixCi = defineAction({
  name: "ai.fix_ci",
  description: "Reads the pull request's failing checks (output, annotations, the end of the failed Actions jobs' logs) and runs the coding agent on its branch to make them pass, pushing its commits on top; nothing when the head moved on since.",
  input: z.strictObject({
    instructions,
    max_turns: z.number().int().min(1).max(500).optional().describe("The most model turns for this step; agent.max_turns when absent."),
  }),
  outputs: {
    branch: "the pull request's branch",
    changed: "whether a commit was pushed",
    sha: "the pushed commit; absent when nothing changed",
    summary: "what the agent did, or why nothing was done",
    checks: "the failing checks' names, a list",
    files_changed: "the changed files, a list",
  },
  async run(input, context) {
    const github = context.services.github;
    if (!github) throw new UserFacingError("ai.fix_ci reads the pull request's checks on GitHub, and this run has no GitHub client.");
    const outputs = await fixCi(codingAgent(context, "ai.fix_ci"), github, input, context.signal);
    if (outputs.changed && outputs.sha) context.emit("branch.pushed", { branch: outputs.branch, sha: outputs.sha });
    return outputs;
  },
});
