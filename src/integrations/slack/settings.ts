import { z } from "zod";
import { optional, optionalSection } from "../../core/schema-helpers.js";

/** `notify.slack` in `.github/ai-agent.yml`: the channel runs are posted to. */

// Slack channel names are lowercase letters, digits, hyphens and underscores, at most 80 of them;
// ids are C (public) or G (private) and capitals or digits.
const slackChannel = z
  .string('expected a Slack channel name starting with #, such as "#ai-agent", or a channel id such as C0123ABCD')
  .regex(
    /^(#[a-z0-9_-]{1,80}|[CG][A-Z0-9]{8,})$/,
    'expected a Slack channel name starting with #, such as "#ai-agent", or a channel id such as C0123ABCD',
  );

export const slackSettingsSchema = optionalSection({ channel: optional(slackChannel) });

export type SlackSettings = NonNullable<z.output<typeof slackSettingsSchema>>;
