import { describe, expect, it } from "vitest";
import { commitMessage } from "../../src/agent/implement.js";
import { withoutClosingReferences } from "../../src/integrations/github/safe-markdown.js";

/** A commit message is plain text: the model's words cannot close issues through it. */
describe("the agent's commit message", () => {
  it.each([
    ["Fixes #3 and closes: #4", "Fixes issue 3 and closes: issue 4"],
    ["resolved octo/other#12", "resolved octo/other issue 12"],
    ["FIXED https://github.com/octo/other/issues/9", "FIXED octo/other issue 9"],
    ["fix GH-5", "fix issue 5"],
    ["see #3; prefix fixes, suffix", "see #3; prefix fixes, suffix"],
  ])("%s", (summary, expected) => {
    expect(withoutClosingReferences(summary)).toBe(expected);
  });

  it("keeps the subject's own issue number and the co-author trailer", () => {
    const message = commitMessage("Spelling error", 12, ["bug"], "Fixed it; closes #40.", { name: "octocat", email: "1+octocat@users.noreply.github.com" });
    expect(message).toBe("fix: spelling error (#12)\n\nFixed it; closes issue 40.\n\nCo-authored-by: octocat <1+octocat@users.noreply.github.com>\n");
  });
});
