import { describe, expect, it } from "vitest";
import { headInFork, openedBy } from "../../src/core/run.js";

/** The two facts about a pull request every layer asks: is its head a fork's, and did the app open it. */
describe("a pull request's head and author", () => {
  const head = (repo: string | null | undefined) => ({ head: { ref: "patch-1", sha: "a".repeat(40), ...(repo === undefined ? {} : { repo }) } });

  it("counts a head in another repository, or in a deleted one, as a fork's, whatever the case of its name", () => {
    expect(headInFork(head("acme/widgets"), "acme/widgets")).toBe(false);
    expect(headInFork(head("Acme/Widgets"), "acme/widgets")).toBe(false);
    expect(headInFork(head("octocat/widgets"), "acme/widgets")).toBe(true);
    expect(headInFork(head(null), "acme/widgets")).toBe(true);
    // A stored basis from before heads named their repository is taken as this one's.
    expect(headInFork(head(undefined), "acme/widgets")).toBe(false);
  });

  it("knows the app's pull requests by their author, whatever the case, and none without a login", () => {
    expect(openedBy({ author: "ai-agent[bot]" }, "ai-agent[bot]")).toBe(true);
    expect(openedBy({ author: "AI-Agent[bot]" }, "ai-agent[bot]")).toBe(true);
    expect(openedBy({ author: "octocat" }, "ai-agent[bot]")).toBe(false);
    expect(openedBy({ author: null }, "ai-agent[bot]")).toBe(false);
    expect(openedBy({ author: "ai-agent[bot]" }, undefined)).toBe(false);
  });
});
