import { z } from "zod";
import { answerThreads } from "../../agent/follow-up-answers.js";
import { failingChecksText } from "../../agent/fix-ci.js";
import { followUp } from "../../agent/follow-up.js";
import { UserFacingError } from "../../core/errors.js";
import { defineAction } from "../../core/action.js";
import { codingAgent } from "./agent.js";

/** `ai.follow_up` and `ai.answer_threads`: the agent's further work on a pull request's branch, and its answers in the review threads. */

export const aiFollowUp = defineAction({
  name: "ai.follow_up",
  description:
    "Runs the coding agent on the pull request's branch with what writers asked since the last follow-up (comments, reviews, open review threads) and its failing checks; commits and pushes on top. Ends quietly when nothing new was asked.",
  input: z.strictObject({
    max_turns: z.number().int().min(1).max(500).optional().describe("The most model turns for this step; agent.max_turns when absent."),
    new_pull_request: z
      .boolean()
      .default(false)
      .describe("Make the change on a new branch of this repository from the pull request's head and open a new pull request (for a fork's, which the app cannot push to)."),
  }),
  outputs: {
    changed: "whether a commit was pushed",
    branch: "the branch the work is on: the pull request's, or with new_pull_request the new one",
    sha: "the pushed commit; null when nothing changed",
    summary: "what the agent did",
    requests: "how many requests and open threads it took up",
    threads: "for ai.answer_threads: each open thread's id, outcome (changed, answered, declined) and reply",
    until: "up to when the conversation was read; the next follow-up reads what came after",
    pull_request: "with new_pull_request, the new pull request's { number, url }; null otherwise",
  },
  async run(input, context) {
    const session = codingAgent(context, "ai.follow_up");
    const { github } = context.services;
    const checks = github ? (sha: string) => failingChecksText(session, github, sha) : undefined;
    const outputs = await followUp(session, input, checks, context.signal);
    if (outputs.changed && outputs.sha) context.emit("branch.pushed", { branch: outputs.branch, sha: outputs.sha });
    if (outputs.pull_request) context.emit("pull_request.opened", outputs.pull_request);
    return outputs;
  },
});

const threadOutcome = z.object({ id: z.string().min(1), outcome: z.enum(["changed", "answered", "declined"]), reply: z.string() });

export const aiAnswerThreads = defineAction({
  name: "ai.answer_threads",
  description:
    "Replies in each review thread a follow-up took up (what was done and the commit, or why not), resolves the threads its change covers, and adds the follow-up to the description of a pull request the app opened. A step run again answers no thread twice.",
  input: z.strictObject({
    threads: z.array(threadOutcome, "expected the threads of ai.follow_up, such as \"{{ steps.work.outputs.threads }}\"").describe("ai.follow_up's threads output."),
    sha: z.string().nullable().default(null).describe("The commit the change is in; null when nothing changed."),
    summary: z.string().default("").describe("What the follow-up did, for the description's line."),
  }),
  outputs: { replied: "threads answered", resolved: "threads resolved" },
  async run(input, context) {
    const { subject } = context.services;
    const forge = subject?.source.versionControl;
    if (!subject || !forge) throw new UserFacingError("ai.answer_threads needs a pull request on a forge, and this run has none.");
    const botLogin = (await subject.source.committer()).name;
    return answerThreads(forge, {
      pull: await forge.changeRequest(subject.target.number),
      runId: subject.target.runId,
      botLogin,
      threads: input.threads,
      sha: input.sha,
      summary: input.summary,
      actor: subject.target.actor,
    });
  },
});
