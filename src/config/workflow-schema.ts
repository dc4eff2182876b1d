import { z } from "zod";
import { list, nonEmptyString, oneOf, optional, section, strictMapping, wholeNumber } from "../core/schema-helpers.js";
import { durationSchema } from "../core/duration.js";

/**
 * The `workflows:` section of `.github/ai-agent.yml`: named workflows, each a list of steps. This
 * file is the shape only; what a step may say beyond its shape (the action exists, its inputs fit,
 * the outputs it reads come from earlier steps) is checked by `workflow/validate.ts`.
 */

export const onErrorModes = ["fail", "continue", "retry", "rollback"] as const;
export type OnError = (typeof onErrorModes)[number];

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const stepId = z
  .string("expected a step id")
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,63}$/,
    "a step id starts with a letter or _ and has only letters, digits and _ (at most 64), so templates can read steps.<id>",
  );

/** The provider name of `uses: workflow.<name>`: a step that calls another workflow. */
export const WORKFLOW_PROVIDER = "workflow";

/** `<provider>.<action>` (a doc store's are `docs.<provider>.<action>`); a workflow is called as `workflow.<name>`. */
export const usesSchema = z
  .string('expected an action as <provider>.<action>, such as "shell.run"')
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?\.[a-z][a-z0-9_-]*$/, 'expected an action as <provider>.<action>, such as "shell.run"');

/** A Liquid expression such as `steps.test.outputs.exit_code == 0`; `{{ … }}` around it is allowed. */
const expression = nonEmptyString('a condition, such as "steps.test.outputs.exit_code == 0"');

export const retrySchema = strictMapping({
  attempts: wholeNumber(1, 10),
  /** The wait before the second attempt; each later wait is `factor` times the one before. */
  backoff: durationSchema(0, 10 * MINUTE).default("1s"),
  factor: z.number("expected a number from 1 to 10").min(1, "expected a number from 1 to 10").max(10, "expected a number from 1 to 10").default(2),
  max_delay: durationSchema(0, HOUR).default("1m"),
});
export type RetryPolicy = z.output<typeof retrySchema>;

const common = {
  id: stepId,
  name: optional(nonEmptyString("a step name")),
  if: optional(expression),
  timeout: optional(durationSchema(SECOND, 6 * HOUR)),
  retry: optional(retrySchema),
  on_error: oneOf(onErrorModes, "an error mode").default("fail"),
};

const inputs = optional(z.record(z.string(), z.unknown(), "expected a mapping of inputs (name: value)"));
/** A list written out, or a template that renders to one (`"{{ steps.plan.outputs.files }}"`). */
const foreach = optional(z.union([z.string(), z.array(z.unknown())], "expected a list, or a template that gives a list"));

/** A step that runs one action (or, under `foreach:`, one action per item). */
export const actionStepSchema = strictMapping({ ...common, uses: usesSchema, with: inputs, foreach });
export type ActionStep = z.output<typeof actionStepSchema>;

/** A step of a workflow's main list: an action, or a `parallel:` group of actions. */
export const stepSchema = strictMapping({
  ...common,
  uses: optional(usesSchema),
  with: inputs,
  foreach,
  parallel: optional(z.array(actionStepSchema, "expected a list of steps to run at the same time").min(2, "a parallel group needs at least two steps")),
}).superRefine((step, ctx) => {
  if (step.uses === undefined && step.parallel === undefined) {
    ctx.addIssue({ code: "custom", path: ["id"], message: 'a step needs "uses: <provider>.<action>" or "parallel:" with a list of steps' });
  }
  if (step.parallel !== undefined) {
    for (const key of ["uses", "with", "foreach", "retry"] as const) {
      if (step[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: `a parallel group has no "${key}"; put it on the steps inside the group` });
    }
  }
});
export type Step = z.output<typeof stepSchema>;

export const prerequisiteSchema = strictMapping({
  if: expression,
  /** Shown when the condition does not hold; a template. */
  message: nonEmptyString("the message to show when the condition does not hold"),
});
export type Prerequisite = z.output<typeof prerequisiteSchema>;

const outputName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an output name has only letters, digits and _");

export const workflowSchema = strictMapping({
  description: optional(nonEmptyString("a description")),
  /** Checked before the first step; a failed one fails the run with its message. */
  prerequisites: list(prerequisiteSchema, "prerequisites", () => []),
  steps: z.array(stepSchema, "expected a list of steps").min(1, "a workflow needs at least one step"),
  /** What a workflow called from another (`uses: workflow.<name>`) gives back; templates. */
  outputs: optional(z.record(outputName, z.string("expected a template"), "expected a mapping of output names to templates")),
  /** Steps run after the main ones: `always`, then `on_success` or `on_failure`. */
  post: section({
    always: list(actionStepSchema, "steps", () => []),
    on_success: list(actionStepSchema, "steps", () => []),
    on_failure: list(actionStepSchema, "steps", () => []),
  }),
});
export type Workflow = z.output<typeof workflowSchema>;

const WORKFLOW_NAME_MESSAGE = "a workflow name is lowercase letters, digits, - and _, starting with a letter";
export const workflowNameSchema = z.string(WORKFLOW_NAME_MESSAGE).regex(/^[a-z][a-z0-9_-]{0,63}$/, WORKFLOW_NAME_MESSAGE);

/** The section: workflow name → workflow. Written workflows replace the built-in ones of that name. */
export const workflowsSchema = z.preprocess(
  (value) => value ?? {},
  z.record(workflowNameSchema, workflowSchema, {
    error: (issue) =>
      issue.code === "invalid_type" ? "expected a mapping of workflow names to workflows" : issue.code === "invalid_key" ? WORKFLOW_NAME_MESSAGE : undefined,
  }),
);
export type Workflows = z.output<typeof workflowsSchema>;
