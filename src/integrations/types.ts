import type { z } from "zod";

/**
 * What an integration is to the core: an id, the kind of tool it connects, what it reads from the
 * server's environment and from a repository's `.github/ai-agent.yml`, and `connect()`, which turns
 * its settings into the parts the core uses. The interface of each kind lives beside this file
 * (`kinds/`): the core talks to a `Notifier` or a `VersionControl`, never to "Slack" or "GitHub".
 */

export type IntegrationKind = "version-control" | "task-tracker" | "notifier" | "doc-store" | "model-provider";

/** Where a kind's repository settings sit in `.github/ai-agent.yml`, under the integration's id. */
export const SETTINGS_SECTION: Partial<Record<IntegrationKind, string>> = {
  notifier: "notify",
  "task-tracker": "notify",
  "doc-store": "docs",
};

export interface Integration<Env = unknown, Connected = unknown> {
  /** Lower-case, unique: the prefix of its actions (`slack.post`) and its settings key (`notify.slack`). */
  readonly id: string;
  readonly kind: IntegrationKind;
  /** One line for docs and `/readyz`. */
  readonly description: string;
  /**
   * Its environment variables, as a zod object whose keys are the variable names; composed into
   * the server's environment schema, so a bad value fails the boot with the variable's name.
   */
  readonly env: z.ZodType<Env>;
  /** The variables of `env` that hold credentials: redacted everywhere, never given to a sandbox. */
  readonly secrets: readonly string[];
  /** Its repository settings; composed into the configuration schema at `<section>.<id>`. */
  readonly settings?: z.ZodType;
  /** Its parts, from the parsed environment; undefined when the server is not set up for it. */
  connect(env: Env): Connected | undefined;
}
