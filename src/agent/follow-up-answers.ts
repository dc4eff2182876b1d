import { type ChangeRequest, openedBy } from "../core/run.js";
import type { VersionControl } from "../integrations/kinds/version-control.js";
import type { ThreadOutcome } from "./follow-up.js";

/**
 * `ai.answer_threads`: a follow-up's answers, where people look for them. Each thread it took up
 * gets one reply (what was done and the commit, or why not), and a thread the change covers is
 * resolved; the pull request's description gains a line for the follow-up. Every write is found
 * again before it is made — a reply by its marker, the description's line by the run — so a step
 * run again after a crash answers no thread twice.
 */

export interface AnswerInput {
  /** The pull request as the step found it. */
  pull: ChangeRequest;
  runId: string;
  botLogin: string;
  threads: ThreadOutcome[];
  sha: string | null;
  summary: string;
  actor: string;
}

export interface AnswerOutputs {
  replied: number;
  resolved: number;
  [key: string]: unknown;
}

const SECTION_START = "<!-- ai-agent:follow-ups -->";
const SECTION_END = "<!-- /ai-agent:follow-ups -->";

export function replyMarker(runId: string): string {
  return `<!-- ai-agent:follow-up:${runId} -->`;
}

export async function answerThreads(forge: VersionControl, input: AnswerInput): Promise<AnswerOutputs> {
  const { number } = input.pull;
  const marker = replyMarker(input.runId);
  const short = input.sha?.slice(0, 7);
  let replied = 0;
  let resolved = 0;
  if (input.threads.length > 0 && forge.supports("review-threads")) {
    const current = new Map((await forge.reviewThreads(number)).map((thread) => [thread.id, thread]));
    for (const outcome of input.threads) {
      const thread = current.get(outcome.id);
      if (!thread) continue; // deleted since
      const answered = thread.comments.some((c) => c.author.toLowerCase() === input.botLogin.toLowerCase() && c.body.includes(marker));
      const covers = outcome.outcome === "changed" && short !== undefined;
      if (!answered) {
        const lead = covers ? `Done in ${short}: ` : outcome.outcome === "declined" ? "Not changed: " : "";
        await forge.replyInThread(number, thread, `${lead}${outcome.reply}\n\n${marker}`);
        replied++;
      }
      if (covers && !thread.resolved) {
        await forge.resolveThread(thread);
        resolved++;
      }
    }
  }
  // Another person's description is left alone.
  if (openedBy(input.pull, input.botLogin) && input.sha) await noteInDescription(forge, input);
  return { replied, resolved };
}

/** One line per follow-up that changed something, in a section of the description the app keeps. */
async function noteInDescription(forge: VersionControl, input: AnswerInput): Promise<void> {
  const { pull } = input;
  const tag = `<!-- run:${input.runId} -->`;
  if (pull.body.includes(tag)) return;
  const first = input.summary.split("\n").find((line) => line.trim() !== "")?.trim() ?? "Follow-up changes.";
  const line = `- ${input.sha?.slice(0, 7)}: ${first.length > 200 ? `${first.slice(0, 199)}…` : first} (asked by @${input.actor}) ${tag}`;
  const start = pull.body.indexOf(SECTION_START);
  const end = pull.body.indexOf(SECTION_END);
  const body =
    start !== -1 && end > start
      ? `${pull.body.slice(0, end).trimEnd()}\n${line}\n${pull.body.slice(end)}`
      : `${pull.body.trimEnd()}\n\n${SECTION_START}\n### Follow-ups\n${line}\n${SECTION_END}\n`;
  await forge.updateChangeRequest(pull.number, { body });
}
