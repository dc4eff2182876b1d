import { UserFacingError } from "../../core/errors.js";
import { redact } from "../../core/redactor.js";
import type { KeySource, TaskTracker, TrackedTask } from "../kinds/task-tracker.js";
import { type LinearClient, LinearError } from "./client.js";
import { findLinearKey, isLinearKey } from "./key.js";
import type { LinearSettings } from "./settings.js";
import { attachmentCreated, commentCreated, issueAnswer, issueCreated, issueDeleted, issueUpdated, issuesPage, statesAnswer, teamsAnswer } from "./schema.js";

/**
 * Linear as a repository's task tracker: its team is the one `notify.linear` names. Comments are
 * Markdown; a transition is a move to the team's workflow state of that name; a link is an
 * attachment, which Linear keeps once per address and issue (creating it again updates it); a
 * task created with an id carries a marker line in its description, which `findTasks` filters on.
 */

/** The marker of a task created with `id`, closed by `]` so that task 1's is not found in task 10's. */
export function taskMarker(id: string): string {
  return `[ai-agent-task:${id.replace(/[^A-Za-z0-9_.-]/g, "-")}]`;
}

/**
 * Text that Linear's Markdown shows as it is: a title or a model's summary quoted in a comment
 * makes no link, image, mention or markup of its own.
 */
export function plainMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#!|~@]/g, "\\$&");
}

type Issue = { id: string; identifier: string; url: string; team: { id: string; key: string } };

const ISSUE = `query Issue($id: String!) { issue(id: $id) { id identifier url team { id key } } }`;
const STATES = `query TeamStates($id: String!, $after: String) { team(id: $id) { states(first: 100, after: $after) { nodes { id name type } pageInfo { hasNextPage endCursor } } } }`;
const TEAMS = `query Teams($key: String!) { teams(filter: { key: { eq: $key } }) { nodes { id key } } }`;
const COMMENT = `mutation CommentCreate($input: CommentCreateInput!) { commentCreate(input: $input) { success comment { id } } }`;
const UPDATE = `mutation IssueUpdate($id: String!, $input: IssueUpdateInput!) { issueUpdate(id: $id, input: $input) { success } }`;
const ATTACH = `mutation AttachmentCreate($input: AttachmentCreateInput!) { attachmentCreate(input: $input) { success attachment { id } } }`;
const CREATE = `mutation IssueCreate($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { id identifier url } } }`;
const DELETE = `mutation IssueDelete($id: String!) { issueDelete(id: $id) { success } }`;
const MARKED = `query MarkedIssues($filter: IssueFilter, $after: String) { issues(filter: $filter, first: 50, after: $after) { nodes { identifier url description } pageInfo { hasNextPage endCursor } } }`;

export class LinearTracker implements TaskTracker {
  readonly project: string | undefined;
  /** Issues by identifier, read once per repository's tracker: their ids and teams do not change. */
  private readonly issues = new Map<string, Promise<Issue>>();

  constructor(
    private readonly client: LinearClient,
    settings: LinearSettings | undefined,
  ) {
    this.project = settings?.team;
  }

  isKey(key: string): boolean {
    return isLinearKey(key, this.project);
  }

  findKey(sources: readonly KeySource[]): string | undefined {
    return this.project === undefined ? undefined : findLinearKey(sources, this.project);
  }

  /** The issue's address in Linear (its workspace is in it, so it is asked for). */
  async issueUrl(key: string): Promise<string> {
    return (await this.issue(key)).url;
  }

  async comment(key: string, text: string, link?: { href: string; text: string }): Promise<{ id: string }> {
    const issue = await this.issue(key);
    // Redacted before it is escaped: an escaped secret (`ghs\_…`) no longer reads as the secret.
    const body = link ? `${plainMarkdown(redact(text))} [${plainMarkdown(link.text)}](<${link.href.replace(/[<>\s]/g, encodeURIComponent)}>)` : plainMarkdown(redact(text));
    const { commentCreate } = await this.client.request("commentCreate", COMMENT, { input: { issueId: issue.id, body } }, commentCreated);
    return { id: commentCreate.comment.id };
  }

  /** Moves the issue to its team's workflow state named `name` (any case); false when the team has none. */
  async transition(key: string, name: string): Promise<boolean> {
    const issue = await this.issue(key);
    const wanted = name.toLowerCase();
    let after: string | null = null;
    do {
      const { team }: { team: { states: { nodes: { id: string; name: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } } = await this.client.request(
        "team.states",
        STATES,
        { id: issue.team.id, after },
        statesAnswer,
      );
      const state = team.states.nodes.find((node) => node.name.toLowerCase() === wanted);
      if (state) {
        await this.client.request("issueUpdate", UPDATE, { id: issue.id, input: { stateId: state.id } }, issueUpdated);
        return true;
      }
      after = team.states.pageInfo.hasNextPage ? team.states.pageInfo.endCursor : null;
    } while (after);
    return false;
  }

  /** An attachment at `link.url`: Linear keeps one per address and issue, so the same one again adds none. */
  async link(key: string, link: { id: string; url: string; title: string }): Promise<void> {
    await this.attach(key, link);
  }

  /** `link`, giving the attachment's id. */
  async attach(key: string, link: { url: string; title: string }): Promise<string> {
    const issue = await this.issue(key);
    const { attachmentCreate } = await this.client.request("attachmentCreate", ATTACH, { input: { issueId: issue.id, url: link.url, title: link.title } }, attachmentCreated);
    return attachmentCreate.attachment.id;
  }

  async createTask(summary: string, description: string, options: { id?: string; parent?: string } = {}): Promise<TrackedTask> {
    const teamId = await this.teamId();
    const parentId = options.parent === undefined ? undefined : (await this.issue(options.parent)).id;
    const text = options.id === undefined ? description : `${description}\n\n${taskMarker(options.id)}`.trim();
    const input = { teamId, title: summary, description: text, ...(parentId ? { parentId } : {}) };
    const { issueCreate } = await this.client.request("issueCreate", CREATE, { input }, issueCreated);
    return { key: issueCreate.issue.identifier, url: issueCreate.issue.url };
  }

  /** By the marker in their descriptions, every page: Linear's filters read its database, with no lag. */
  async findTasks(ids: readonly string[]): Promise<Map<string, TrackedTask>> {
    const found = new Map<string, TrackedTask>();
    if (ids.length === 0) return found;
    const markers = new Map(ids.map((id) => [taskMarker(id), id]));
    const filter = { team: { key: { eq: this.team() } }, or: [...markers.keys()].map((marker) => ({ description: { contains: marker } })) };
    let after: string | null = null;
    do {
      const { issues }: { issues: { nodes: { identifier: string; url: string; description: string | null }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } =
        await this.client.request("issues", MARKED, { filter, after }, issuesPage);
      for (const node of issues.nodes) {
        for (const [marker, id] of markers) {
          if (node.description?.includes(marker) && !found.has(id)) found.set(id, { key: node.identifier, url: node.url });
        }
      }
      after = issues.pageInfo.hasNextPage ? issues.pageInfo.endCursor : null;
    } while (after);
    return found;
  }

  /** Moves the issue to Linear's trash (where it can be restored for a while); one already gone is fine. */
  async deleteTask(key: string): Promise<void> {
    try {
      await this.client.request("issueDelete", DELETE, { id: key }, issueDeleted);
    } catch (error) {
      // Linear answers INVALID_INPUT, "Entity not found" (or its user-presentable "Could not find …").
      if (!(error instanceof LinearError && error.code === "INVALID_INPUT" && /not found|could not find/i.test(error.message))) throw error;
    }
  }

  private issue(key: string): Promise<Issue> {
    let issue = this.issues.get(key);
    if (!issue) {
      issue = this.client.request("issue", ISSUE, { id: key }, issueAnswer).then((answer) => answer.issue);
      // A failed read is not kept: the next call asks again.
      issue.catch(() => this.issues.delete(key));
      this.issues.set(key, issue);
    }
    return issue;
  }

  private async teamId(): Promise<string> {
    const { teams } = await this.client.request("teams", TEAMS, { key: this.team() }, teamsAnswer);
    const team = teams.nodes.find((node) => node.key === this.team());
    if (!team) throw new UserFacingError(`Linear has no team ${this.team()} that the API key can see; check notify.linear.team.`);
    return team.id;
  }

  private team(): string {
    if (this.project === undefined) throw new UserFacingError("Creating a Linear issue needs notify.linear.team.");
    return this.project;
  }
}
