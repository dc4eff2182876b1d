import type { z } from "zod";
import type { RegisteredAction } from "../core/action.js";
import type { DocContextRequest } from "./kinds/doc-store.js";
import type { RepositoryParts } from "./kinds/parts.js";

export type { DocContextRequest, DocPage, DocStore } from "./kinds/doc-store.js";
export type { Notifier, NotifierMessage, PostedMessage } from "./kinds/notifier.js";
export type { RepositoryParts, RunIntegration, RunIntegrations } from "./kinds/parts.js";
export type { MirrorState, RunEvent, RunInfo, StatusSink } from "./kinds/status.js";
export type { KeySource, KeyTexts, TaskTracker } from "./kinds/task-tracker.js";

/**
 * What an integration is to the core: an id, the kind of tool it connects, what it reads from the
 * server's environment and from a repository's `.github/ai-agent.yml`, its workflow actions, and
 * `connect()`, which turns its environment into the parts the core uses. The interface of each
 * kind lives beside this file (`kinds/`): the core talks to a `Notifier` or a `TaskTracker`, never
 * to "Slack" or "Jira".
 */

export type IntegrationKind = "version-control" | "task-tracker" | "notifier" | "doc-store" | "model-provider";

/** Where a kind's repository settings sit in `.github/ai-agent.yml`, under the integration's id. */
export const SETTINGS_SECTION: Partial<Record<IntegrationKind, string>> = {
  notifier: "notify",
  "task-tracker": "notify",
  "doc-store": "docs",
};

/**
 * The start of an integration's action names: its id (`slack.post`), under `docs.` for a doc store
 * (`docs.confluence.publish`), as its settings are.
 */
export function actionPrefix(integration: { id: string; kind: IntegrationKind }): string {
  return integration.kind === "doc-store" ? `docs.${integration.id}.` : `${integration.id}.`;
}

/** A problem with an integration's variables together, which no single variable's schema sees. */
export interface EnvProblem {
  variable: string;
  message: string;
}

/** What the server has of an integration once its credentials are there. */
export interface Connection<Settings = unknown> {
  /** Its parts for one repository; `settings` is what its schema parsed, absent when the file names none. */
  forRepository(settings: Settings | undefined): RepositoryParts;
}

export interface IntegrationDefinition<EnvSchema extends z.ZodObject, Settings, Connected = Connection<Settings>> {
  /** Lower-case, unique: the prefix of its actions (`slack.post`) and its settings key (`notify.slack`). */
  readonly id: string;
  /** As people know it, for messages: "Slack". */
  readonly name: string;
  readonly kind: IntegrationKind;
  /** One line for docs and `/readyz`. */
  readonly description: string;
  /**
   * Its environment variables, as a zod object whose keys are the variable names; composed into
   * the server's environment schema, so a bad value fails the boot with the variable's name.
   */
  readonly env: EnvSchema;
  /** Rules across its variables (all or none of them set), checked with the rest of the environment. */
  checkEnv?(env: z.output<EnvSchema>): readonly EnvProblem[];
  /** The variables of `env` that hold credentials: redacted everywhere, never given to a sandbox. */
  readonly secrets: readonly (keyof z.output<EnvSchema> & string)[];
  /**
   * Its repository settings; composed into the configuration schema at `<section>.<id>`. Absent
   * unless written: the schema must accept undefined (`optionalSection`).
   */
  readonly settings?: z.ZodType<Settings | undefined>;
  /**
   * A doc store's: what the planner may be given to read from it, composed into the configuration
   * schema at `plan.context.<id>`. Absent unless written, like `settings`.
   */
  readonly context?: z.ZodType<DocContextRequest | undefined>;
  /** Its workflow actions, named from `actionPrefix` (`slack.post`), listed whether or not the server is set up for it. */
  readonly actions?: readonly RegisteredAction[];
  /**
   * Its connection, from its parsed variables; undefined when the server is not set up for it. A
   * notifier's, tracker's or doc store's is a `Connection`; a model provider's is its
   * `ModelProvider`, a forge's what opens one repository's `VersionControl`.
   */
  connect(env: z.output<EnvSchema>): Connected | undefined;
}

/** An integration with its types erased, as the registry holds it. */
export type Integration = IntegrationDefinition<z.ZodObject, unknown, unknown>;

/**
 * Keeps an integration's types while writing it; the registry holds them erased. The core hands
 * each integration only what its own schemas parsed (its variables, its settings), so the erased
 * types are never mixed up.
 */
export function defineIntegration<EnvSchema extends z.ZodObject, Settings, Connected = Connection<Settings>>(
  definition: IntegrationDefinition<EnvSchema, Settings, Connected>,
): IntegrationDefinition<EnvSchema, Settings, Connected> {
  return definition;
}
