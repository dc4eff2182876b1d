import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/review/findings.js";
import { resumedSection, selfReviewSection, title, where } from "../../src/review/self-review-section.js";

/** The "### Self-review" section of the agent's pull request, from findings and what became of them. */

const finding = (severity: Finding["severity"], body: string, more: Partial<Finding> = {}): Finding => ({ path: "src/a.ts", line: 12, side: "RIGHT", severity, category: "bug", body, ...more });

describe("selfReviewSection", () => {
  it("lists each finding with its severity, place, title and outcome", () => {
    const section = selfReviewSection({
      findings: [
        { finding: finding("critical", "Null is not handled.\n\nWhen the input is empty, this throws."), outcome: { kind: "fixed", sha: "0123456789abcdef" } },
        { finding: finding("high", "The loop is quadratic", { start_line: 10 }), outcome: { kind: "left", reason: "Inputs are  at most\nten items." } },
        { finding: finding("high", "Wrong name."), outcome: { kind: "left", reason: "" } },
        { finding: finding("low", "Prefer const.", { path: "b`c.ts" }), outcome: { kind: "below" } },
      ],
      severity: "high",
      skipped: [{ path: "package-lock.json", reason: "lockfile" }],
      requester: "octocat",
    });
    expect(section).toBe(
      [
        "### Self-review",
        "The reviewer read this change before the pull request was opened: 4 findings; the agent addressed those at or above `high`.",
        "",
        "- 🛑 **critical** `src/a.ts:12` Null is not handled. — fixed in 0123456",
        "- 🔴 **high** `src/a.ts:10-12` The loop is quadratic — left: Inputs are at most ten items.",
        "- 🔴 **high** `src/a.ts:12` Wrong name. — left: the agent gave no reason",
        "- 🟡 **low** `b'c.ts:12` Prefer const. — left, below `high`",
        "",
        "Not reviewed: `package-lock.json` (lockfile).",
      ].join("\n"),
    );
  });

  it("says in one line that nothing was found at or above the severity", () => {
    expect(selfReviewSection({ findings: [], severity: "medium", skipped: [], requester: "octocat" })).toBe(
      "### Self-review\nThe reviewer read this change before the pull request was opened and found nothing at or above `medium`.",
    );
  });

  it("makes what the models wrote safe to post: no mention but the requester's, no closing keyword, no raw HTML", () => {
    const section = selfReviewSection({
      findings: [{ finding: finding("high", "@someone, this fixes #3 <img src=x onerror=alert(1)>"), outcome: { kind: "left", reason: "closes #4, ask @octocat" } }],
      severity: "high",
      skipped: [],
      requester: "octocat",
    });
    expect(section).toContain("`@someone`, this `fixes #3` &lt;img src=x onerror=alert(1)>");
    expect(section).toContain("left: `closes #4`, ask @octocat");
    expect(section).not.toMatch(/[^`]@someone|[^`]fixes #3|[^`]closes #4|<img/);
  });

  it("names the fix commit of a step resumed after it was pushed", () => {
    expect(resumedSection("abcdef0123456789", "octocat")).toBe("### Self-review\nThe agent addressed the self-review's findings in abcdef0; its commit message lists them.");
  });
});

describe("a finding's title and place", () => {
  it("is the first sentence or line, at most 120 characters", () => {
    expect(title("Off by one. The last item is skipped.")).toBe("Off by one.");
    expect(title("  A heading\nand more")).toBe("A heading");
    expect(title("x".repeat(200))).toBe(`${"x".repeat(119)}…`);
    expect(title("v1.2 is parsed wrong")).toBe("v1.2 is parsed wrong");
  });

  it("is file:line, or file:start-end for a range", () => {
    expect(where({ path: "a.ts", line: 3 })).toBe("`a.ts:3`");
    expect(where({ path: "a.ts", line: 5, start_line: 3 })).toBe("`a.ts:3-5`");
    expect(where({ path: "a.ts", line: 5, start_line: 5 })).toBe("`a.ts:5`");
  });
});
