import { z } from "zod";
import { UserFacingError } from "../core/errors.js";
import { neutralizeForGitHub } from "../integrations/github/safe-markdown.js";
import type { CodingRun } from "./coding-tools.js";
import { type OpenThread, gatherConversation } from "./follow-up-requests.js";
import { ownCommit, workOnBranch } from "./on-branch.js";
import { renderPrompt } from "./prompts.js";
import { sanitize } from "./sanitize.js";
import { slug } from "./implement.js";
import { type ChangeRequest, openedBy } from "../core/run.js";

/**
 * `ai.follow_up`: the coding agent's further work on a pull request's branch. It reads what writers
 * asked since the last follow-up (comments, reviews, open review threads) and the failing checks,
 * makes the change on the branch and pushes it, and says for each thread what became of it — the
 * next step answers the threads with that. A follow-up with nothing new to do ends quietly.
 */

export interface FollowUpInput {
  max_turns?: number | undefined;
  /**
   * Make the change on a new branch of this repository that starts at the pull request's head, and
   * open it as a new pull request: for a fork's pull request, whose branch the app cannot push to.
   */
  new_pull_request?: boolean | undefined;
}

/** What became of one thread: its forge id, the outcome the model gave, the reply to post. */
export interface ThreadOutcome {
  id: string;
  outcome: "changed" | "answered" | "declined";
  reply: string;
}

export interface FollowUpOutputs {
  changed: boolean;
  /** The branch the work is on: the pull request's, or the new one beside a fork's. */
  branch: string;
  sha: string | null;
  summary: string;
  /** How many requests and threads it took up. */
  requests: number;
  threads: ThreadOutcome[];
  /** Up to when the conversation was read; the next follow-up starts after it. */
  until: string;
  /** The new pull request, with `new_pull_request`; null otherwise or when nothing changed. */
  pull_request: { number: number; url: string } | null;
  [key: string]: unknown;
}

const outcomes = ["changed", "answered", "declined"] as const;
const finishSchema = z.object({
  summary: z.string().min(1),
  threads: z.array(z.object({ id: z.string(), outcome: z.enum(outcomes), reply: z.string().min(1) })).default([]),
});

const FINISH = {
  name: "finish",
  description:
    "Ends the follow-up. summary: what you changed and why, for the pull request. threads: one entry per open review thread id (T1, T2, …): outcome changed (your change covers it), answered (a question, or nothing to change) or declined (not changed), and the reply to post in that thread.",
  input_schema: {
    type: "object" as const,
    properties: {
      summary: { type: "string" },
      threads: {
        type: "array",
        items: { type: "object", properties: { id: { type: "string" }, outcome: { type: "string", enum: [...outcomes] }, reply: { type: "string" } }, required: ["id", "outcome", "reply"] },
      },
    },
    required: ["summary"],
  },
};

/** Where the checks come from; a follow-up without it reads none. */
export type CheckReport = (headSha: string) => Promise<string>;

export async function followUp(session: CodingRun, input: FollowUpInput, checks: CheckReport | undefined, signal?: AbortSignal): Promise<FollowUpOutputs> {
  const { target } = session;
  const forge = session.source.versionControl;
  if (!forge) throw new UserFacingError("A follow-up needs the repository's forge, and this run has none.");
  const pull = await forge.changeRequest(target.number);
  const now = new Date();
  const quiet = (summary: string): FollowUpOutputs => ({ changed: false, branch: pull.head.ref, sha: null, summary, requests: 0, threads: [], until: now.toISOString(), pull_request: null });
  if (pull.state !== "open") return quiet(`Pull request #${pull.number} is ${pull.state}; nothing was changed.`);
  const safe = (text: string) => neutralizeForGitHub(text, { requester: target.actor });
  const where = input.new_pull_request
    ? { branch: `ai/pr-${pull.number}-${slug(pull.title)}`, startRef: `refs/pull/${pull.number}/head` }
    : { branch: pull.head.ref };
  const opened = async (sha: string | undefined, summary: string) => (input.new_pull_request && sha ? openAside(session, pull, where.branch, summary) : null);
  // Run before and pushed, then the worker stopped: what it did is in its commit, and nothing is done twice.
  const earlier = await ownCommit(await session.workspace.workspace(where.branch, where.startRef), target.runId);
  if (earlier) {
    const threads = parseThreadLines(earlier.message);
    const until = /^read-until=(\S+)$/.exec(earlier.mark)?.[1] ?? now.toISOString();
    const summary = safe(recoveredSummary(earlier.message));
    return { changed: true, branch: where.branch, sha: earlier.sha, summary, requests: Math.max(1, threads.length), threads, until, pull_request: await opened(earlier.sha, summary) };
  }
  const botLogin = (await session.source.committer()).name;
  const openedByApp = openedBy(pull, botLogin);
  const conversation = await gatherConversation(forge, { number: pull.number, botLogin, openedByApp, since: target.since, now });
  const failing = checks ? await checks(pull.head.sha) : "";
  if (conversation.requests.length === 0 && conversation.threads.length === 0 && failing === "") {
    return { ...quiet("Nothing new was asked since the last follow-up, and no thread is waiting for an answer."), until: conversation.until };
  }

  const task = await renderPrompt("follow-up", {
    pull: { number: pull.number, title: sanitize(pull.title), body: sanitize(pull.body), author: pull.author ?? "ghost", branch: pull.head.ref },
    requests: conversation.requests,
    threads: conversation.threads,
    checks: failing,
  });
  let submitted: z.infer<typeof finishSchema> | undefined;
  const byKey = new Map(conversation.threads.map((open) => [open.key, open]));
  const work = await workOnBranch(
    session,
    {
      ...where,
      runId: target.runId,
      mark: `read-until=${conversation.until}`,
      task,
      subject: commitSubject(pull.number, conversation.threads.length > 0),
      maxTurns: input.max_turns,
      finishTool: {
        ...FINISH,
        parse(value) {
          submitted = finishSchema.parse(value);
          return { summary: submitted.summary };
        },
      },
      details: () => threadLines(outcomesOf(submitted?.threads ?? [], byKey, conversation.threads)),
    },
    signal,
  );
  const threads = work.recovered !== undefined ? parseThreadLines(work.recovered) : outcomesOf(submitted?.threads ?? [], byKey, conversation.threads);
  const summary = work.recovered !== undefined ? recoveredSummary(work.recovered) : work.summary;
  return {
    changed: work.changed,
    branch: where.branch,
    sha: work.sha ?? null,
    summary: safe(summary),
    pull_request: await opened(work.sha, safe(summary)),
    requests: conversation.requests.length + conversation.threads.length,
    // A thread the change covers only counts as changed when there is a change.
    threads: threads.map((t) => ({ ...t, outcome: t.outcome === "changed" && !work.changed ? "declined" : t.outcome, reply: safe(t.reply) })),
    until: conversation.until,
  };
}

/** The new pull request of a change made beside a fork's: found again by its branch when a step runs twice. */
async function openAside(session: CodingRun, pull: ChangeRequest, branch: string, summary: string): Promise<{ number: number; url: string }> {
  const forge = session.source.versionControl;
  if (!forge) throw new UserFacingError("A follow-up needs the repository's forge, and this run has none.");
  const { target, config } = session;
  const from = pull.author ? ` by @${pull.author}` : "";
  const body = neutralizeForGitHub(
    `${summary}\n\nThis builds on #${pull.number}${from}, whose branch is in a fork the app cannot push to: it starts at that pull request's head and adds the change @${target.actor} asked for there.`,
    { requester: target.actor },
  );
  return forge.openChangeRequest({ title: `${pull.title} (with changes from #${pull.number})`, body, head: branch, base: pull.base.ref, draft: config.agent.draft_pull_requests });
}

function commitSubject(number: number, threads: boolean): string {
  return threads ? `fix: address review comments (#${number})` : `fix: follow up on review requests (#${number})`;
}

/** Each open thread once, by its forge id: what the model said of it, or that it did not take it up. */
function outcomesOf(answered: z.infer<typeof finishSchema>["threads"], byKey: Map<string, OpenThread>, open: OpenThread[]): ThreadOutcome[] {
  const said = new Map<string, ThreadOutcome>();
  for (const answer of answered) {
    const thread = byKey.get(answer.id.trim());
    if (thread && !said.has(thread.key)) said.set(thread.key, { id: thread.thread.id, outcome: answer.outcome, reply: answer.reply });
  }
  return open.map(
    (thread) => said.get(thread.key) ?? { id: thread.thread.id, outcome: "declined", reply: "I did not take this thread up in this follow-up, so nothing changed for it. Reply here or comment `/ai <request>` if it still needs doing." },
  );
}

const THREADS_HEADING = "Review threads:";
const LINE = /^- (changed|answered|declined) (\S+): (.*)$/;

/** The threads' outcomes as the commit message keeps them, one line each, so a step run again finds them. */
function threadLines(threads: ThreadOutcome[]): string {
  if (threads.length === 0) return "";
  return [THREADS_HEADING, ...threads.map((t) => `- ${t.outcome} ${t.id}: ${t.reply.replace(/\s+/g, " ").trim()}`)].join("\n");
}

function parseThreadLines(message: string): ThreadOutcome[] {
  const start = message.indexOf(`\n${THREADS_HEADING}\n`);
  if (start === -1) return [];
  const found: ThreadOutcome[] = [];
  for (const line of message.slice(start + THREADS_HEADING.length + 2).split("\n")) {
    const match = LINE.exec(line);
    if (!match) break;
    found.push({ outcome: match[1] as ThreadOutcome["outcome"], id: match[2]!, reply: match[3]! });
  }
  return found;
}

/** The commit's body up to the threads and trailers: the summary the model wrote then. */
function recoveredSummary(message: string): string {
  const body = message.split("\n").slice(2).join("\n");
  const end = body.search(new RegExp(`\\n(${THREADS_HEADING}|AI-Agent-Run:)`));
  return (end === -1 ? body : body.slice(0, end)).trim() || "The change was made and pushed before the run was resumed.";
}
