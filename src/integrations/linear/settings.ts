import { z } from "zod";
import { nonEmptyString, optional, optionalSection, strictMapping } from "../../core/schema-helpers.js";
import { TEAM_KEY } from "./key.js";

/** `notify.linear` in `.github/ai-agent.yml`: the team runs mirror to, and the states its issues move to. */

const teamKey = z
  .string({
    error: (issue) => (issue.input === undefined ? 'required; the key of the Linear team, such as "ENG"' : 'expected a Linear team key in capitals, such as "ENG"'),
  })
  .regex(TEAM_KEY, 'expected a Linear team key in capitals, such as "ENG"');

/** The run events that can move a Linear issue. */
export const linearStateEvents = ["started", "pr_opened", "review_posted", "succeeded", "failed", "stopped"] as const;

const stateName = optional(nonEmptyString('a workflow state of the team, such as "In Progress"'));

export const linearSettingsSchema = optionalSection({
  team: teamKey,
  create_tasks: z.boolean("expected true or false").default(false),
  // Written states replace the default ones; `states: {}` moves nothing.
  states: z.preprocess(
    (value) => (value === null ? undefined : value),
    strictMapping(Object.fromEntries(linearStateEvents.map((event) => [event, stateName])) as Record<(typeof linearStateEvents)[number], typeof stateName>).default(() => ({
      started: "In Progress",
      pr_opened: "In Review",
    })),
  ),
});

export type LinearSettings = NonNullable<z.output<typeof linearSettingsSchema>>;
