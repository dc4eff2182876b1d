import { z } from "zod";
import { UserFacingError } from "../../core/errors.js";
import { type RegisteredAction, defineAction } from "../../core/action.js";

/**
 * `slack.post`, for workflows that post explicitly: the server's bot token, and the repository's
 * `notify.slack.channel` unless the step names a channel.
 */
export const slackActions: readonly RegisteredAction[] = [
  defineAction({
    name: "slack.post",
    description: "Posts a message to a Slack channel (the one in notify.slack when absent).",
    input: z.strictObject({
      text: z.string().min(1, "expected the message text").describe("The message; a template."),
      channel: z.string().optional().describe("A channel name such as #ai-agent, or its id; notify.slack.channel when absent."),
    }),
    outputs: { ts: "the message's timestamp", channel: "the channel id" },
    async run(input, context) {
      const connected = context.services.integrations;
      if (!connected) throw new UserFacingError("slack.post needs the status mirrors, and this run has none.");
      const notifier = connected.slack?.notifier;
      if (!notifier) throw new UserFacingError("slack.post needs SLACK_BOT_TOKEN on the server.");
      const channel = input.channel ?? notifier.channel;
      if (!channel) throw new UserFacingError("slack.post needs a channel: give one, or set notify.slack.channel.");
      const posted = await notifier.post({ text: input.text }, channel);
      return { ts: posted.id ?? null, channel: posted.channel };
    },
  }),
];
