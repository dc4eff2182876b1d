import { z } from "zod";
import { adf } from "../../mirrors/jira-client.js";
import { isJiraKey } from "../../mirrors/jira-key.js";
import { UserFacingError } from "../../core/errors.js";
import { type ActionContext, type RegisteredAction, defineAction } from "../../core/action.js";

/**
 * The status mirrors' operations as workflow actions, for workflows that call them explicitly:
 * `slack.post`, `jira.comment`, `jira.transition`, `jira.create_issue`. They use the server's
 * credentials and the repository's `notify:` settings (channel, project).
 */

function mirrors(context: ActionContext, action: string) {
  const found = context.services.mirrors;
  if (!found) throw new UserFacingError(`${action} needs the status mirrors, and this run has none.`);
  return found;
}

function slack(context: ActionContext) {
  const { environment } = mirrors(context, "slack.post");
  if (!environment.slack) throw new UserFacingError("slack.post needs SLACK_BOT_TOKEN on the server.");
  return environment.slack;
}

function jira(context: ActionContext, action: string) {
  const { environment, notify } = mirrors(context, action);
  if (!environment.jira) throw new UserFacingError(`${action} needs JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN on the server.`);
  return { client: environment.jira, project: notify.jira?.project };
}

/** The run's Jira issue (see findJiraKey), or the one given — which must be in the configured project too. */
function jiraKey(context: ActionContext, given: string | undefined, action: string): string {
  const { notify, jiraKey: linked } = mirrors(context, action);
  const project = notify.jira?.project;
  if (given !== undefined && project !== undefined && !isJiraKey(given, project)) {
    throw new UserFacingError(`${action}: ${given} is not an issue of the Jira project ${project} that notify.jira names.`);
  }
  const key = given ?? linked();
  if (!key) throw new UserFacingError(`${action}: no Jira issue is linked to this run; name one with the issue input.`);
  return key;
}

const issueKey = z
  .string()
  .refine((key) => isJiraKey(key), 'expected a Jira issue key such as "ABC-123"')
  .describe("A Jira issue of the project notify.jira names, such as ABC-123; the run's Jira issue when absent.");

export const notifyActions: readonly RegisteredAction[] = [
  defineAction({
    name: "slack.post",
    description: "Posts a message to a Slack channel (the one in notify.slack when absent).",
    input: z.strictObject({
      text: z.string().min(1, "expected the message text").describe("The message; a template."),
      channel: z.string().optional().describe("A channel name such as #ai-agent, or its id; notify.slack.channel when absent."),
    }),
    outputs: { ts: "the message's timestamp", channel: "the channel id" },
    async run(input, context) {
      const channel = input.channel ?? mirrors(context, "slack.post").notify.slack?.channel;
      if (!channel) throw new UserFacingError("slack.post needs a channel: give one, or set notify.slack.channel.");
      const posted = await slack(context).chat.postMessage({ channel, text: input.text });
      return { ts: posted.ts ?? null, channel: posted.channel ?? channel };
    },
  }),
  defineAction({
    name: "jira.comment",
    description: "Comments on the run's Jira issue (or the one given).",
    input: z.strictObject({ body: z.string().min(1, "expected the comment").describe("The comment; a template."), issue: issueKey.optional() }),
    outputs: { id: "the comment's id", issue: "the Jira issue key" },
    async run(input, context) {
      const key = jiraKey(context, input.issue, "jira.comment");
      const comment = await jira(context, "jira.comment").client.addComment(key, adf(input.body));
      return { id: comment.id, issue: key };
    },
  }),
  defineAction({
    name: "jira.transition",
    description: "Moves the run's Jira issue (or the one given) through the transition of that name.",
    input: z.strictObject({ to: z.string().min(1, 'expected a transition name, such as "In Review"').describe("The transition's name, as the issue's Jira workflow shows it."), issue: issueKey.optional() }),
    outputs: { issue: "the Jira issue key", moved: "whether the transition existed" },
    async run(input, context) {
      const key = jiraKey(context, input.issue, "jira.transition");
      const moved = await jira(context, "jira.transition").client.transition(key, input.to);
      if (!moved) throw new UserFacingError(`Jira issue ${key} has no transition named "${input.to}" from its current status.`);
      return { issue: key, moved };
    },
  }),
  defineAction({
    name: "jira.create_issue",
    description: "Creates a Jira issue in the project of notify.jira.",
    input: z.strictObject({
      summary: z.string().min(1, "expected a summary").describe("The new issue's summary."),
      description: z.string().default("").describe("Its description."),
      type: z.string().default("Task").describe("Its issue type, as the project names it."),
    }),
    outputs: { key: "the new issue's key", url: "its address" },
    async run(input, context) {
      const { client, project } = jira(context, "jira.create_issue");
      if (!project) throw new UserFacingError("jira.create_issue needs notify.jira.project.");
      const created = await client.createIssue(project, input.summary, input.description, input.type);
      return { key: created.key, url: client.browseUrl(created.key) };
    },
  }),
];
