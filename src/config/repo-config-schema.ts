import { z } from "zod";

import { commandNames, reviewActions } from "../core/trigger.js";
import { severities } from "../core/severity.js";

import { workflowNameSchema, workflowsSchema } from "./workflow-schema.js";

import { list, nonEmptyString, oneOf, optional, section, strictMapping, wholeNumber } from "../core/schema-helpers.js";

export { describeValue } from "../core/schema-helpers.js";

/**
 * The schema of a repository's `.github/ai-agent.yml`: one strict zod object per section, each
 * field with its default, so `{ version: 1 }` (and a missing file) parse to the full defaults.
 *
 * Every message here is written for the person editing the file: the loader prefixes it with the
 * key's path (`triggers.review.drafts: expected true or false`) and its line and column. Unknown
 * keys are errors, so a typo fails loudly instead of being silently ignored.
 *
 * A new section is a `section({...})` in this file and one line in `buildRepoConfigSchema`; an
 * integration's settings come from its folder (`notify.<id>`, `docs.<id>`).
 */

// GitHub caps label names at 50 characters; a longer one could never match.
const labelName = nonEmptyString("a label name").max(50, "a GitHub label name has at most 50 characters");

// A bot sender's login always ends in [bot]; "renovate" alone would never match and never say so.
const botLogin = nonEmptyString("a bot login such as renovate[bot]").regex(
  /\[bot\]$/,
  'expected a bot login ending in [bot], such as "renovate[bot]"',
);

export const reviewSchema = section({
  events: list(oneOf(reviewActions, "a pull request event"), "pull request events", () => [...reviewActions]),
  drafts: z.boolean("expected true or false").default(false),
  paths: list(nonEmptyString("a glob pattern"), "glob patterns", () => []),
  ignore_paths: list(nonEmptyString("a glob pattern"), "glob patterns", () => []),
  ignore_authors: list(nonEmptyString("a GitHub login"), "GitHub logins", () => []),
});

export const triggersSchema = section({
  implement_label: labelName.default("ai:implement"),
  commands: list(oneOf(commandNames, "a command"), "commands", () => [...commandNames]),
  review: reviewSchema,
  allow_bots: list(botLogin, "bot logins", () => []),
  // Written labels replace the default ones; `workflow_labels: {}` turns them off.
  workflow_labels: z.preprocess(
    (value) => (value === null ? undefined : value),
    z
      .record(labelName, workflowNameSchema, {
        error: (issue) => (issue.code === "invalid_type" ? "expected a mapping of labels to workflow names" : undefined),
      })
      .default(() => ({ "ai:hotfix": "hotfix", "ai:docs": "docs" })),
  ),
  // Runs one person may start here in an hour; the server's TRIGGER_RATE_LIMIT_PER_HOUR caps it.
  rate_limit_per_hour: optional(wholeNumber(1, 10_000)),
});

/** An amount of US dollars; YAML numbers only, so "$5" or "5" in quotes is an error. */
const dollars = z.number("expected an amount in US dollars, such as 5").positive("expected an amount in US dollars greater than 0");

export const DEFAULT_MODEL = "claude-sonnet-5-5";
/** The lighter pass of a large pull request's review: a Haiku-class model, a fraction of the price. */
export const DEFAULT_TAIL_MODEL = "claude-haiku-5";

const modelName = nonEmptyString("a model name, such as claude-sonnet-5-5").regex(/^\S+$/, "a model name has no spaces");

export const modelsSchema = section({
  implement: modelName.default(DEFAULT_MODEL),
  plan: modelName.default(DEFAULT_MODEL),
  review: modelName.default(DEFAULT_MODEL),
  review_tail: modelName.default(DEFAULT_TAIL_MODEL),
  ask: modelName.default(DEFAULT_MODEL),
  max_tokens: wholeNumber(1, 128_000).default(16_000),
});

export const budgetsSchema = section({
  usd_per_run: dollars.default(5),
  // Absent unless written: the server's BUDGET_DEFAULT_USD_PER_REPO_MONTH applies then.
  usd_per_repo_month: optional(dollars),
});

const shellCommand = optional(nonEmptyString('a shell command, such as "npm test"'));

export const agentSchema = section({
  // Each absent command is one the agent may not run.
  commands: section({ install: shellCommand, test: shellCommand, lint: shellCommand, build: shellCommand }),
  max_turns: wholeNumber(1, 500).default(50),
  // The same globs as ALWAYS_PROTECTED in workspace/paths.ts, shown as the default so users see them.
  protected_paths: list(nonEmptyString("a glob pattern"), "glob patterns", () => [".github/**", ".husky/**", ".githooks/**"]),
  allow_protected: z.boolean("expected true or false").default(false),
  draft_pull_requests: z.boolean("expected true or false").default(false),
  // A persistent bash in the sandbox for the agent; the named commands above work either way.
  shell: z.boolean("expected true or false").default(true),
  sandbox: section({
    // Network for the agent's shell and commands, where the server's SANDBOX_NETWORK allows it.
    network: z.boolean("expected true or false").default(false),
  }),
  // The reviewer reads the agent's change before the pull request, and the agent addresses the
  // findings at or above the severity in the same run.
  self_review: z.boolean("expected true or false").default(true),
  self_review_severity: oneOf(severities, "a severity").default("high"),
  // Further work on a pull request's branch: a writer's `/ai <request>` or `@app <request>` on a
  // pull request the app opened, `/ai implement` on another one, and (with `reviews`) a writer's
  // review with comments or changes requested on one the app opened.
  follow_up: section({
    enabled: z.boolean("expected true or false").default(true),
    reviews: z.boolean("expected true or false").default(true),
  }),
  // The CI autopilot: fixes of failing checks on pull requests the app opened, a few at most.
  fix_ci: section({
    enabled: z.boolean("expected true or false").default(true),
    max_attempts: wholeNumber(1, 10).default(2),
    label: labelName.default("ai:needs-human"),
  }),
});

/** How pull requests are reviewed; what triggers a review is under `triggers.review`. */
export const reviewSettingsSchema = section({
  max_comments: wholeNumber(0, 100).default(15),
  // REQUEST_CHANGES (instead of COMMENT) when a finding is high or critical.
  request_changes: z.boolean("expected true or false").default(false),
  chunk_tokens: wholeNumber(2_000, 200_000).default(40_000),
  // The most relevant files reviewed in full (models.review); the others in the lighter pass.
  full_files: wholeNumber(0, 5_000).default(300),
  // Absent unless written: every file is reviewed, as far as the budget allows.
  max_files: optional(wholeNumber(1, 5_000)),
  parallel_chunks: wholeNumber(1, 8).default(3),
  // Lockfiles, minified and generated files are left out unless this is false.
  skip_generated: z.boolean("expected true or false").default(true),
});

/** `plan:`, with `context.<id>` of each doc store the planner may read (`plan.context.confluence`). */
export function planSchemaWith(context: Readonly<Record<string, z.ZodType>>) {
  return section({
    create_sub_issues: z.boolean("expected true or false").default(false),
    context: section({ ...context }),
  });
}

/** The integrations' settings schemas by section (`notify`, `docs`) and integration id. */
export type IntegrationSettings = Readonly<Record<string, Readonly<Record<string, z.ZodType>>>>;

/**
 * The schema with the integrations' sections, each a mapping of integration id to that
 * integration's settings (`notify.slack`, `docs.confluence`). `notify:` and `docs:` are always
 * there, so a file that names a notifier or doc store the server does not ship is told which ones
 * it does. The server's own is
 * composed from its registry (repo-config-composed.ts); this file imports no integration.
 */
export function buildRepoConfigSchema(settings: IntegrationSettings, planContext: Readonly<Record<string, z.ZodType>> = {}) {
  const { notify = {}, docs = {}, ...others } = settings;
  const rest: Record<string, ReturnType<typeof section>> = {};
  for (const [name, shape] of Object.entries(others)) rest[name] = section({ ...shape });
  return strictMapping({
    version: z.literal(1, {
      error: (issue) => (issue.input === undefined ? 'required; add "version: 1" at the top of the file' : "expected 1"),
    }),
    triggers: triggersSchema,
    models: modelsSchema,
    budgets: budgetsSchema,
    agent: agentSchema,
    plan: planSchemaWith(planContext),
    review: reviewSettingsSchema,
    notify: section({ ...notify }),
    docs: section({ ...docs }),
    ...rest,
    workflows: workflowsSchema,
  });
}

export type RepoConfigSchema = ReturnType<typeof buildRepoConfigSchema>;

// Every integration's settings are absent unless written, so the defaults need none of them.
const withoutIntegrations = buildRepoConfigSchema({});

export type RepoConfig = z.output<RepoConfigSchema>;

/** The configuration of a repository without `.github/ai-agent.yml`. A fresh object each call. */
export function defaultRepoConfig(): RepoConfig {
  return withoutIntegrations.parse({ version: 1 });
}
