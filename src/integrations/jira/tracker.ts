import { UserFacingError } from "../../core/errors.js";
import type { KeySource, TaskTracker } from "../kinds/task-tracker.js";
import { type JiraClient, adf } from "./client.js";
import { findJiraKey, isJiraKey } from "./key.js";
import type { JiraSettings } from "./settings.js";

/** Jira as a repository's task tracker: its project is the one `notify.jira` names, if any. */
export class JiraTracker implements TaskTracker {
  readonly project: string | undefined;
  readonly planTasks: boolean;

  constructor(
    private readonly client: JiraClient,
    settings: JiraSettings | undefined,
  ) {
    this.project = settings?.project;
    this.planTasks = settings?.create_tasks ?? false;
  }

  isKey(key: string): boolean {
    return isJiraKey(key, this.project);
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

  async createTask(summary: string, description: string, type?: string): Promise<{ key: string; url: string }> {
    if (this.project === undefined) throw new UserFacingError("Creating a Jira issue needs notify.jira.project.");
    const created = await this.client.createIssue(this.project, summary, description, type);
    return { key: created.key, url: this.client.browseUrl(created.key) };
  }
}
