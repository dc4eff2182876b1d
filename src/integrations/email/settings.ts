import { z } from "zod";
import { list, oneOf, optionalSection } from "../../core/schema-helpers.js";

/** `notify.email` in `.github/ai-agent.yml`: who is told of a run, and of which of its events. */

/** The run events worth an email; a mail cannot be edited, so each is its own message in the run's thread. */
export const emailEvents = ["started", "pr_opened", "review_posted", "succeeded", "failed", "stopped", "budget_exceeded"] as const;

export type EmailEvent = (typeof emailEvents)[number];

/** PR opened, failed, stopped at its budget, done: what a reader needs to act on. */
export const DEFAULT_EMAIL_EVENTS: readonly EmailEvent[] = ["pr_opened", "failed", "budget_exceeded", "succeeded"];

// zod's own address pattern, as a pattern: the JSON schema then says `pattern`, which every
// editor knows, rather than `format: email`, which some validators do not.
const address = z
  .string("expected an email address such as \"team@example.com\"")
  .regex(z.regexes.email, { error: (issue) => `expected an email address such as "team@example.com", not ${typeof issue.input === "string" ? JSON.stringify(issue.input.slice(0, 60)) : "that"}` });

export const emailSettingsSchema = optionalSection({
  to: z
    .array(address, {
      error: (issue) => (issue.input === undefined ? 'required; the addresses to send to, such as ["team@example.com"]' : "expected a list of email addresses"),
    })
    .min(1, "expected at least one address")
    .max(50, "expected at most 50 addresses"),
  events: list(oneOf(emailEvents, "a run event"), "run events", () => [...DEFAULT_EMAIL_EVENTS]),
});

export type EmailSettings = NonNullable<z.output<typeof emailSettingsSchema>>;
