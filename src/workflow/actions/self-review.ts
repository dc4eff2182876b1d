import { z } from "zod";
import { severities } from "../../core/severity.js";
import { defineAction } from "../../core/action.js";
import { selfReview } from "../../review/self-review.js";
import { codingAgent } from "./agent.js";

/** `ai.self_review`: the reviewer on the agent's change before the pull request, and the agent on its findings. */
export const aiSelfReview = defineAction({
  name: "ai.self_review",
  description:
    "Reviews the agent's change on its branch (nothing is posted) and has the agent address the findings at or above the severity, in the same workspace; what it changes is committed and pushed as a fast-forward. Its section output, for the pull request's body, lists each finding and what was done.",
  input: z.strictObject({
    branch: z.string().min(1, "expected a branch name").describe('The branch the agent committed on, such as "{{ steps.code.outputs.branch }}".'),
    severity: z.enum(severities).optional().describe("The findings addressed: this severity and the more serious ones; agent.self_review_severity when absent."),
    max_turns: z.number().int().min(1).max(500).optional().describe("The most model turns for addressing the findings; agent.max_turns when absent."),
  }),
  outputs: {
    findings: "the number of findings",
    addressed: "the number of findings the fix commit addressed",
    changed: "whether a fix commit was pushed",
    sha: "the branch's head after the step",
    section: 'a "### Self-review" section for the pull request body: each finding and what was done',
  },
  async run(input, context) {
    const outputs = await selfReview(codingAgent(context, "ai.self_review"), input, context.signal);
    if (outputs.changed && outputs.sha) context.emit("branch.pushed", { branch: input.branch, sha: outputs.sha });
    return outputs;
  },
});
