import { UserFacingError } from "../../core/errors.js";
import type { KeySource, TaskTracker, TrackedTask } from "../kinds/task-tracker.js";
import { type JiraClient, adf } from "./client.js";
import { findJiraKey, isJiraKey } from "./key.js";
import type { JiraSettings } from "./settings.js";

/**
 * A task's id as a Jira label: `ai-agent-` and the id with anything but letters, digits, `_`, `.`
 * and `-` made `-` (a label has no spaces, and JQL then needs no escaping), at most 255 characters.
 */
export function taskLabel(id: string): string {
  return `ai-agent-${id.replace(/[^A-Za-z0-9_.-]/g, "-")}`.slice(0, 255);
}

/** Jira as a repository's task tracker: its project is the one `notify.jira` names, if any. */
export class JiraTracker implements TaskTracker {
  readonly project: string | undefined;

  constructor(
    private readonly client: JiraClient,
    settings: JiraSettings | undefined,
  ) {
    this.project = settings?.project;
  }

  isKey(key: string): boolean {
    return isJiraKey(key, this.project);
  }

  taskUrl(key: string): string {
    return this.client.browseUrl(key);
  }

  findKey(sources: readonly KeySource[]): string | undefined {
    return this.project === undefined ? undefined : findJiraKey(sources, this.project);
  }

  comment(key: string, text: string, link?: { href: string; text: string }): Promise<{ id: string }> {
    return this.client.addComment(key, adf(text, link));
  }

  transition(key: string, name: string): Promise<boolean> {
    return this.client.transition(key, name);
  }

  /** A remote link whose globalId is `link.id`: Jira updates the link with that id instead of adding another. */
  link(key: string, link: { id: string; url: string; title: string }): Promise<void> {
    return this.client.remoteLink(key, { globalId: link.id, url: link.url, title: link.title });
  }

  async createTask(summary: string, description: string, options: { type?: string; id?: string } = {}): Promise<TrackedTask> {
    const created = await this.client.createIssue(this.projectKey(), summary, description, options.type, options.id === undefined ? [] : [taskLabel(options.id)]);
    return this.tracked(created.key);
  }

  /** By label, through Jira's search, which may lag a moment behind an issue just created. */
  async findTasks(ids: readonly string[]): Promise<Map<string, TrackedTask>> {
    const labels = new Map(ids.map((id) => [taskLabel(id), id]));
    const found = new Map<string, TrackedTask>();
    for (const issue of await this.client.issuesWithLabels(this.projectKey(), [...labels.keys()])) {
      for (const label of issue.labels) {
        const id = labels.get(label);
        if (id !== undefined && !found.has(id)) found.set(id, this.tracked(issue.key));
      }
    }
    return found;
  }

  deleteTask(key: string): Promise<void> {
    return this.client.deleteIssue(key);
  }

  private projectKey(): string {
    if (this.project === undefined) throw new UserFacingError("Creating a Jira issue needs notify.jira.project.");
    return this.project;
  }

  private tracked(key: string): TrackedTask {
    return { key, url: this.client.browseUrl(key) };
  }
}
