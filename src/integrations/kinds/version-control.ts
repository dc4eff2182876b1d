import type { ChangeRequest } from "../../core/run.js";

/**
 * What the core asks of a forge (GitHub today, GitLab later), for one repository of one connection.
 * Review, the tracking comment and the change-request actions speak this, never a forge's client:
 * a tool asks `supports(capability)` what the forge can do instead of branching on its name (as
 * pr-agent's `is_supported`). Ids are strings, since forges number comments and checks their own
 * way; addresses are the web pages people follow.
 */

export type VersionControlCapability =
  /** A review with comments on lines of the diff, and a verdict (comment or request changes). */
  | "reviews"
  /** Checks (or commit statuses) on a head, with a title and a text. */
  | "checks"
  /** Reactions on issues and comments (the 👀 of "noticed"). */
  | "reactions"
  /** Issues as children of an issue. */
  | "sub-issues"
  /** Change requests opened as drafts. */
  | "draft-change-requests"
  /** Threads of line comments on a change request, answered in place and resolved. */
  | "review-threads";

export interface IssueInfo {
  number: number;
  title: string;
  body: string;
  state: string;
  author: string | null;
  labels: string[];
  url: string;
}

/** A pull request, merge request or the like: an issue with a head to merge into a base. */
export type { ChangeRequest };

export interface ChangedFile {
  path: string;
  status: string;
  additions: number;
  deletions: number;
  /** Absent for binary files and diffs too large for the forge's API. */
  patch?: string;
}

/** An issue that is a child of another (GitHub's sub-issues). */
export interface SubIssue {
  number: number;
  body: string;
  state: string;
  url: string;
}

/** A comment of the conversation on an issue or change request, as people wrote it. */
export interface ConversationComment {
  id: string;
  author: string;
  /** The forge's kind of account: `User`, `Bot`, `Organization`. */
  authorType: string;
  body: string;
  createdAt: string;
  url: string;
}

/** A submitted review of a change request. */
export interface SubmittedReview {
  id: string;
  author: string;
  authorType: string;
  /** `COMMENTED`, `CHANGES_REQUESTED`, `APPROVED`, `DISMISSED`. */
  state: string;
  body: string;
  submittedAt: string;
}

/** A thread of line comments on a change request. */
export interface ReviewThread {
  /** The forge's id of the thread (GitHub's GraphQL node id). */
  id: string;
  resolved: boolean;
  /** Its line has changed since it was written. */
  outdated: boolean;
  path: string;
  line: number | null;
  /** Oldest first; the first one started the thread. */
  comments: { id: string; author: string; body: string; createdAt: string }[];
}

export interface PostedComment {
  id: string;
  url: string;
}

export interface MarkedComment extends PostedComment {
  body: string;
}

/** Which comment is the one: by the app (`author`), its body starting with `marker`. */
export interface CommentMarker {
  marker: string;
  author: string;
}

export type DiffSide = "LEFT" | "RIGHT";

export interface ReviewLineComment {
  path: string;
  line: number;
  side: DiffSide;
  start_line?: number;
  start_side?: DiffSide;
  body: string;
}

export interface ReviewDraft {
  number: number;
  /** The commit the comments' lines are on. */
  head: string;
  event: "COMMENT" | "REQUEST_CHANGES";
  body: string;
  comments: readonly ReviewLineComment[];
}

/** The forge would not take a line comment (a line outside the diff as it sees it): post without them. */
export class LineCommentsRefused extends Error {
  constructor(cause?: unknown) {
    super("the forge refused a comment on a line of the diff", { cause });
    this.name = "LineCommentsRefused";
  }
}

export type CheckConclusion = "success" | "neutral" | "failure" | "cancelled";

/** What a check shows: a title, a summary, and below it a longer text when there is one. */
export interface CheckOutput {
  title: string;
  summary: string;
  text?: string | undefined;
}

export type CheckUpdate =
  | { status: "in_progress"; startedAt?: Date | undefined; output?: CheckOutput | undefined }
  | ({ status: "completed"; conclusion: CheckConclusion; completedAt: Date } & CheckOutput);

export interface ChangeRequestDraft {
  title: string;
  body: string;
  head: string;
  /** The branch to merge into; the repository's default branch when absent. */
  base?: string;
  draft: boolean;
}

export interface VersionControl {
  /** The connection's id (`github:<installation>`), which a run stores. */
  readonly connection: string;
  /** The repository's web page, for links people follow. */
  readonly webUrl: string;
  supports(capability: VersionControlCapability): boolean;

  /** The file's text at `ref` (the default branch when absent); undefined when there is none. */
  readFile(path: string, ref?: string): Promise<string | undefined>;
  defaultBranch(): Promise<string>;
  /** The branch's head commit; undefined when the branch is not there. */
  branchHead(branch: string): Promise<string | undefined>;
  /** Deletes a branch; one already gone is fine. */
  deleteBranch(branch: string): Promise<void>;

  issue(number: number): Promise<IssueInfo>;
  changeRequest(number: number): Promise<ChangeRequest>;
  /** Every file the change request changes. */
  changedFiles(number: number): Promise<ChangedFile[]>;
  /** The files changed between two commits (`base...head`), for a review of a push. */
  compare(base: string, head: string): Promise<ChangedFile[]>;
  /** Whether the person may make the app act here (write access or more). */
  canWrite(login: string): Promise<boolean>;

  comment(number: number, body: string): Promise<PostedComment>;
  /** Every comment on the issue or change request, oldest first. */
  comments(number: number): Promise<ConversationComment[]>;
  /** The change request's submitted reviews, oldest first. */
  reviews(number: number): Promise<SubmittedReview[]>;
  /** The change request's review threads; only where `supports("review-threads")`. */
  reviewThreads(number: number): Promise<ReviewThread[]>;
  /** Answers in the thread; only where `supports("review-threads")`. */
  replyInThread(number: number, thread: ReviewThread, body: string): Promise<PostedComment>;
  /** Marks the thread resolved; only where `supports("review-threads")`. */
  resolveThread(thread: ReviewThread): Promise<void>;
  /** The newest comment on the issue that carries the marker, by the app. */
  findComment(number: number, which: CommentMarker): Promise<MarkedComment | undefined>;
  /**
   * Writes the one comment of its kind: edits comment `id` when given, else the newest one the
   * marker finds, else posts a new one. Idempotent, so a resumed run never posts a second.
   */
  ensureComment(number: number, body: string, which: { id?: string | undefined; find?: CommentMarker | undefined }): Promise<PostedComment>;
  /** Deletes a comment; one already gone is fine. */
  deleteComment(id: string): Promise<void>;
  react(on: { issue: number } | { comment: string }, reaction: "eyes"): Promise<void>;
  addLabels(number: number, labels: readonly string[]): Promise<void>;
  /** Removes a label; one not there is fine. */
  removeLabel(number: number, label: string): Promise<void>;

  /** The issue's sub-issues, every page of them; only where `supports("sub-issues")`. */
  subIssues(parent: number): Promise<SubIssue[]>;
  /** Opens an issue and makes it a sub-issue of `parent`; only where `supports("sub-issues")`. */
  createSubIssue(parent: number, issue: { title: string; body: string }): Promise<SubIssue>;
  /** Closes an issue, saying why; one already closed or gone is fine. */
  closeIssue(number: number, reason: "completed" | "not_planned"): Promise<void>;

  /** The open change request from `head`, or a new one: a retried step does not open a second. */
  openChangeRequest(draft: ChangeRequestDraft): Promise<{ number: number; url: string }>;
  updateChangeRequest(number: number, update: { state?: "open" | "closed"; title?: string; body?: string }): Promise<void>;

  /** The review's address, when a review by `author` starting with `marker` is there already. */
  findReview(number: number, which: CommentMarker): Promise<string | undefined>;
  /** Publishes one review; throws LineCommentsRefused when the forge will not take a line comment. */
  publishReview(review: ReviewDraft): Promise<string>;

  /** The check named `name` on `head` that carries `externalId`, or a new one, queued. */
  openCheck(check: { name: string; head: string; externalId: string }): Promise<string>;
  updateCheck(id: string, update: CheckUpdate): Promise<void>;

  /** Where git fetches and pushes this repository, without credentials. */
  gitRemote(): string;
  /** The token git over HTTPS authenticates with; undefined where none is needed. */
  gitToken(): Promise<string | undefined>;
}

/**
 * What a version-control integration's `connect()` gives: the forge of one repository of one of
 * its connections (for GitHub, an installation), with the access the use needs.
 */
export interface VersionControlConnector {
  open(target: { account: string; owner: string; repo: string; use: VersionControlUse }): Promise<VersionControl>;
}

/** What the forge is opened for; the token's scope follows from it where the forge scopes tokens. */
export type VersionControlUse = "intake" | "implement" | "plan" | "review" | "ask";

/** `github:123` → the integration's id and its account there; undefined for text of another form. */
export function parseConnection(connection: string): { integration: string; account: string } | undefined {
  const match = /^([a-z][a-z0-9-]*):(.+)$/.exec(connection);
  return match ? { integration: match[1]!, account: match[2]! } : undefined;
}

export function connectionId(integration: string, account: string | number): string {
  return `${integration}:${account}`;
}
