import type { DocStore } from "./doc-store.js";
import type { Notifier } from "./notifier.js";
import type { StatusSink } from "./status.js";
import type { TaskTracker } from "./task-tracker.js";

/**
 * What a connected integration gives one repository, from that repository's settings: the part of
 * its kind, and its status sink when the settings ask for run updates. The core reaches tools only
 * through these interfaces.
 */
export interface RepositoryParts {
  notifier?: Notifier;
  tracker?: TaskTracker;
  docs?: DocStore;
  sink?: StatusSink;
  /**
   * What only the integration's own actions use (email's SMTP client and allowed addresses), for a
   * tool with no part of a kind to carry it: opaque to the core, which passes it through unread.
   */
  own?: unknown;
}

/** An integration as one run has it, for its workflow actions: the repository's parts and the run's task. */
export interface RunIntegration extends RepositoryParts {
  /** The run's task in this tracker: the one a resumed run linked, or the first in the writers' text. */
  taskKey?: string;
}

/** The run's connected integrations, by id. */
export type RunIntegrations = Readonly<Record<string, RunIntegration>>;
