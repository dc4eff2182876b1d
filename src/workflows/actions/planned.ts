import { z } from "zod";
import { UserFacingError } from "../../runs/tasks.js";
import { type RegisteredAction, defineAction } from "../actions.js";
import { githubDeleteBranch } from "./github.js";

/**
 * The actions of the coding agent (`ai.*`, `git.push`) and of the status mirrors (`slack.*`,
 * `jira.*`). Their inputs and outputs are fixed here so workflows that use them are checked when
 * they are loaded; until the agent and the mirrors are part of this server, running one fails the
 * step with a message that says so, and nothing pretends to have happened.
 */

/** Said in each one's description, so `docs/actions.md` tells the truth. */
const PENDING = " Not available on this server yet: a step that uses it fails and says so.";

function notAvailable(name: string): () => Promise<never> {
  return () => Promise.reject(new UserFacingError(`The ${name} action is not available on this server yet.`));
}

const globs = z.array(z.string().min(1, "expected a glob pattern"), "expected a list of glob patterns");
const instructions = z.string().optional();

const planned = [
  defineAction({
    name: "ai.plan",
    description: "Asks the model for a plan of the issue: summary, steps, files likely touched, risks, open questions, estimate." + PENDING,
    input: z.strictObject({ instructions, comment: z.boolean().default(true) }),
    outputs: { summary: "the plan's summary", steps: "the steps, a list", files: "files likely touched, a list", comment_url: "the plan comment's address" },
    run: notAvailable("ai.plan"),
  }),
  defineAction({
    name: "ai.implement",
    description: "Runs the coding agent on the run's workspace and commits what it changes." + PENDING,
    input: z.strictObject({
      instructions,
      plan: z.string().optional(),
      branch_prefix: z.string().regex(/^[A-Za-z0-9._/-]+\/$/, 'expected a branch prefix ending in "/", such as "ai/"').default("ai/"),
      max_turns: z.number().int().min(1).max(500).optional(),
      /** When set, edits outside these globs are refused. */
      allowed_paths: globs.optional(),
    }),
    outputs: { branch: "the branch the commits are on", changed: "whether anything changed", summary: "what the agent did", files_changed: "the changed files, a list" },
    run: notAvailable("ai.implement"),
  }),
  defineAction({
    name: "ai.review",
    description: "Reviews the pull request and posts one review with inline comments." + PENDING,
    input: z.strictObject({ full: z.boolean().default(false), instructions }),
    outputs: { review_url: "the review's address", findings: "the number of findings" },
    run: notAvailable("ai.review"),
  }),
  defineAction({
    name: "ai.ask",
    description: "Answers a question about the issue or pull request in a reply." + PENDING,
    input: z.strictObject({ question: z.string().min(1, "expected the question") }),
    outputs: { answer: "the answer", comment_url: "the reply's address" },
    run: notAvailable("ai.ask"),
  }),
  defineAction({
    name: "git.push",
    description: "Pushes the workspace's branch; a rollback deletes the pushed branch." + PENDING,
    input: z.strictObject({ branch: z.string().min(1, "expected a branch name") }),
    outputs: { branch: "the branch pushed", sha: "the pushed commit" },
    run: notAvailable("git.push"),
    async compensate(input, _outputs, context) {
      await githubDeleteBranch.run({ branch: input.branch }, context);
    },
  }),
  defineAction({
    name: "slack.post",
    description: "Posts a message to a Slack channel (the configured one when absent)." + PENDING,
    input: z.strictObject({ text: z.string().min(1, "expected the message text"), channel: z.string().optional(), thread: z.boolean().default(true) }),
    outputs: { ts: "the message's timestamp", channel: "the channel id" },
    run: notAvailable("slack.post"),
  }),
  defineAction({
    name: "jira.comment",
    description: "Comments on the linked Jira issue." + PENDING,
    input: z.strictObject({ body: z.string().min(1, "expected the comment"), issue: z.string().regex(/^[A-Z][A-Z0-9_]+-\d+$/, 'expected a Jira issue key such as "ABC-123"').optional() }),
    outputs: { id: "the comment's id" },
    run: notAvailable("jira.comment"),
  }),
  defineAction({
    name: "jira.transition",
    description: "Moves the linked Jira issue through a transition." + PENDING,
    input: z.strictObject({ to: z.string().min(1, 'expected a transition name, such as "In Review"'), issue: z.string().optional() }),
    outputs: { status: "the issue's new status" },
    run: notAvailable("jira.transition"),
  }),
  defineAction({
    name: "jira.create_issue",
    description: "Creates a Jira issue in the configured project." + PENDING,
    input: z.strictObject({ summary: z.string().min(1, "expected a summary"), description: z.string().default(""), type: z.string().default("Task") }),
    outputs: { key: "the new issue's key", url: "its address" },
    run: notAvailable("jira.create_issue"),
  }),
];

export const plannedActions: readonly RegisteredAction[] = planned;
