/**
 * A task tracker (Jira, Linear; later GitHub Projects): the task a run belongs to, named in the
 * issue's text, gets comments and moves through its workflow as the run goes on, links to what the
 * run opened, and a plan's steps may become tasks of it (`jira.create_tasks`).
 *
 * A key is read only from text by people with write access to the repository: a stranger who
 * names a task in his issue's title must not have a maintainer's run comment on and move it.
 */

/** A text a key may be read from, and whether its author has write access to the repository. */
export interface KeySource {
  text: string;
  byWriter: boolean;
}

export interface TaskTracker {
  /** The project (or team) the repository's tasks are in, as its settings name it; none when they name none. */
  readonly project?: string;
  /** Whether `key` names a task of the project (any task's key when there is no project). */
  isKey(key: string): boolean;
  /** Where people open the task in their browser; trackers without such an address leave it out. */
  taskUrl?(key: string): string;
  /** The first key of the project in the writers' texts, in the order given; none without a project. */
  findKey(sources: readonly KeySource[]): string | undefined;
  comment(key: string, text: string, link?: { href: string; text: string }): Promise<{ id: string }>;
  /** Moves the task through the transition whose name (or target status) is `name`; false when there is none. */
  transition(key: string, name: string): Promise<boolean>;
  /** Links the task to an address once: the same `id` updates the link instead of adding another. */
  link(key: string, link: { id: string; url: string; title: string }): Promise<void>;
  /**
   * Creates a task in the project; fails saying so when there is none. With `id`, the task
   * carries it where `findTasks` looks, so a step re-run opens no second task of that id. With
   * `parent`, a tracker that has sub-tasks makes it one of that task's.
   */
  createTask(summary: string, description: string, options?: { type?: string; id?: string; parent?: string }): Promise<TrackedTask>;
  /** The tasks of the project created with these ids, by id; an id nothing was created with is absent. */
  findTasks(ids: readonly string[]): Promise<Map<string, TrackedTask>>;
  /** Deletes a task, for a rollback; one already gone is fine. */
  deleteTask(key: string): Promise<void>;
}

export interface TrackedTask {
  key: string;
  url: string;
}

/** What a run's key is read from: the item's title and body, and a pull request's head branch. */
export interface KeyTexts {
  title: string;
  body: string;
  /** Who opened the issue or pull request; null when GitHub no longer knows (a deleted account). */
  author: string | null;
  /** The pull request's head branch, whose name its author chose to open it with. */
  headRef?: string;
}

/**
 * The run's texts in the order a key is looked for, each marked with whether its author has write
 * access. All three count as the author's: the title and body of whoever opened the item (edits
 * made after the trigger are a matter for the run's snapshot), and the head branch as the pull
 * request author's — on a fork it is his own, and even on the repository itself it may have been
 * named by a workflow after someone else's issue title, so that it was pushed proves nothing.
 */
export async function keySources(texts: KeyTexts, isWriter: (login: string) => Promise<boolean>): Promise<KeySource[]> {
  const byWriter = texts.author !== null && (await isWriter(texts.author));
  return [texts.title, texts.body, ...(texts.headRef === undefined ? [] : [texts.headRef])].map((text) => ({ text, byWriter }));
}
