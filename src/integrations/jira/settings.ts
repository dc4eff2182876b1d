import { z } from "zod";
import { nonEmptyString, optional, optionalSection, strictMapping } from "../../core/schema-helpers.js";
import { PROJECT_KEY } from "./key.js";

/** `notify.jira` in `.github/ai-agent.yml`: the project runs mirror to, and how its issues move. */

const jiraProjectKey = z
  .string({
    error: (issue) =>
      issue.input === undefined ? 'required; the key of the Jira project, such as "ABC"' : 'expected a Jira project key in capitals, such as "ABC"',
  })
  .regex(PROJECT_KEY, 'expected a Jira project key in capitals, such as "ABC"');

/** The run events that can move a Jira issue. */
export const jiraTransitionEvents = ["started", "pr_opened", "review_posted", "succeeded", "failed", "stopped"] as const;

const transitionName = optional(nonEmptyString('a Jira transition name, such as "In Progress"'));

export const jiraSettingsSchema = optionalSection({
  project: jiraProjectKey,
  create_tasks: z.boolean("expected true or false").default(false),
  // Written transitions replace the default ones; `transitions: {}` moves nothing.
  transitions: z.preprocess(
    (value) => (value === null ? undefined : value),
    strictMapping(Object.fromEntries(jiraTransitionEvents.map((event) => [event, transitionName])) as Record<
      (typeof jiraTransitionEvents)[number],
      typeof transitionName
    >).default(() => ({ started: "In Progress", pr_opened: "In Review" })),
  ),
});

export type JiraSettings = NonNullable<z.output<typeof jiraSettingsSchema>>;
