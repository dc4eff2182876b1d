import type { ReviewThread, VersionControl } from "../integrations/kinds/version-control.js";
import { parseSlashCommands } from "../triggers/commands.js";
import { sanitize } from "./sanitize.js";

/**
 * What writers asked of a follow-up, read from the pull request's conversation when the run starts:
 * the `/ai <request>` and `@app <request>` comments (on another person's pull request, `/ai
 * implement` ones), the reviews with a body, and the unresolved review threads started by writers.
 * Only what came after the last follow-up read the conversation (`since`) is a new request; the
 * threads are read whole, since an open thread is open until someone resolves it. People without
 * write access, bots and the app itself ask nothing here.
 */

export interface FollowUpRequest {
  /** `comment` or `review`, and its id on the forge. */
  kind: "comment" | "review";
  id: string;
  author: string;
  /** Sanitised: what a reader of the pull request sees. */
  text: string;
  at: string;
}

/** An open thread as the model reads it: a short id (`T1`) it answers by, and its comments. */
export interface OpenThread {
  key: string;
  thread: ReviewThread;
  path: string;
  line: number | null;
  outdated: boolean;
  comments: { author: string; body: string }[];
}

export interface FollowUpConversation {
  requests: FollowUpRequest[];
  threads: OpenThread[];
  /** The newest moment read: the next follow-up reads what came after it. */
  until: string;
}

export interface GatherOptions {
  number: number;
  /** The app's login (`<slug>[bot]`). */
  botLogin: string;
  /** Whether the app opened the pull request: on another one only `/ai implement` asks, and threads are left to people. */
  openedByApp: boolean;
  since?: string | undefined;
  /** The conversation is read up to here (the run's start), so what comes later is the next run's. */
  now: Date;
}

const MAX_REQUESTS = 30;
const MAX_THREADS = 30;
const MAX_TEXT = 4_000;

export async function gatherConversation(forge: VersionControl, options: GatherOptions): Promise<FollowUpConversation> {
  const since = options.since ? Date.parse(options.since) : Number.NEGATIVE_INFINITY;
  const until = options.now.getTime();
  const slug = options.botLogin.replace(/\[bot\]$/i, "").toLowerCase();
  const writers = new Map<string, Promise<boolean>>();
  const isWriter = (login: string, type: string) => {
    if (type === "Bot" || login.toLowerCase() === options.botLogin.toLowerCase()) return Promise.resolve(false);
    let known = writers.get(login);
    if (!known) writers.set(login, (known = forge.canWrite(login)));
    return known;
  };
  const inWindow = (at: string) => {
    const time = Date.parse(at);
    return !Number.isNaN(time) && time > since && time <= until;
  };

  const [comments, reviews, threads] = await Promise.all([
    forge.comments(options.number),
    forge.reviews(options.number),
    options.openedByApp && forge.supports("review-threads") ? forge.reviewThreads(options.number) : Promise.resolve([]),
  ]);

  const requests: FollowUpRequest[] = [];
  for (const comment of comments) {
    if (!inWindow(comment.createdAt)) continue;
    const asked = requestIn(comment.body, slug, options.openedByApp);
    if (asked === undefined || !(await isWriter(comment.author, comment.authorType))) continue;
    requests.push({ kind: "comment", id: comment.id, author: comment.author, text: bounded(asked), at: comment.createdAt });
  }
  if (options.openedByApp) {
    for (const review of reviews) {
      if (!inWindow(review.submittedAt) || !["COMMENTED", "CHANGES_REQUESTED"].includes(review.state.toUpperCase())) continue;
      const text = sanitize(review.body).trim();
      if (!text || !(await isWriter(review.author, review.authorType))) continue;
      requests.push({ kind: "review", id: review.id, author: review.author, text: bounded(text), at: review.submittedAt });
    }
  }

  const open: OpenThread[] = [];
  for (const thread of threads) {
    const first = thread.comments[0];
    if (thread.resolved || !first || !(await isWriter(first.author, "User"))) continue;
    // The app answered last: the thread waits for a person, not for another answer.
    const last = thread.comments[thread.comments.length - 1];
    if (last && last.author.toLowerCase() === options.botLogin.toLowerCase()) continue;
    if (open.length >= MAX_THREADS) break;
    // Later comments in the thread count when a writer wrote them; the app's own replies show what it said.
    const said: OpenThread["comments"] = [];
    for (const comment of thread.comments) {
      const ours = comment.author.toLowerCase() === options.botLogin.toLowerCase();
      if (ours || (await isWriter(comment.author, "User"))) said.push({ author: ours ? "you (ai-agent)" : comment.author, body: bounded(sanitize(comment.body)) });
    }
    open.push({ key: `T${open.length + 1}`, thread, path: thread.path, line: thread.line, outdated: thread.outdated, comments: said });
  }
  requests.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return { requests: requests.slice(-MAX_REQUESTS), threads: open, until: options.now.toISOString() };
}

/**
 * The request a comment makes of the app, or undefined: `/ai <words>` or `@app <words>` on the
 * app's own pull request, `/ai implement <words>` anywhere. Other commands are the intake's.
 */
export function requestIn(body: string, slug: string, openedByApp: boolean): string | undefined {
  for (const command of parseSlashCommands(body)) {
    if (command.mention !== undefined && command.mention !== slug) continue;
    if (command.kind === "command" && command.name === "implement") {
      return sanitize(command.args.replace(/^--new-pr\b/, "")).trim() || "(no instructions: go by the pull request and its review threads)";
    }
    if (command.kind === "unknown" && openedByApp) return sanitize(command.text).trim();
  }
  return undefined;
}

function bounded(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}
