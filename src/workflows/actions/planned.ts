import { z } from "zod";
import { UserFacingError } from "../../runs/tasks.js";
import { type RegisteredAction, defineAction } from "../actions.js";

/**
 * The actions of the status mirrors (`slack.*`, `jira.*`). Their inputs and outputs are fixed here so workflows that
 * use them are checked when they are loaded; until they are part of this server, running one fails
 * the step with a message that says so, and nothing pretends to have happened.
 */

/** Said in each one's description, so `docs/actions.md` tells the truth. */
const PENDING = " Not available on this server yet: a step that uses it fails and says so.";

function notAvailable(name: string): () => Promise<never> {
  return () => Promise.reject(new UserFacingError(`The ${name} action is not available on this server yet.`));
}

const planned = [
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
