import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CodingRun } from "../../src/agent/coding-tools.js";
import { fixCi } from "../../src/agent/fix-ci.js";
import { defaultRepoConfig } from "../../src/config/repo-config.js";
import type { ChangeRequest } from "../../src/core/run.js";
import { githubVersionControl } from "../../src/integrations/github/version-control.js";
import { type FakeCi, fakeCi } from "../helpers/fake-ci.js";
import { type FakeGitHub, fakeGitHub } from "../helpers/fake-github.js";

/**
 * `ai.fix_ci` before the agent starts: what makes it leave the branch alone. The model and the
 * workspace here fail if touched, so a pass shows that no model call was made and no branch checked out.
 */

const OLD = "1".repeat(40);
const NEW = "2".repeat(40);

describe("ai.fix_ci, before the agent", () => {
  let github: FakeGitHub;
  let ci: FakeCi;
  const octokit = () => new ProbotOctokit({ auth: { token: "ghs_test" }, throttle: { enabled: false }, retry: { enabled: false } });
  const untouchable = new Proxy({}, { get: (_target, name) => { throw new Error(`the run's ${String(name)} was used`); } });
  const session = (accepted: string): CodingRun => {
    const change: ChangeRequest = { number: 41, title: "Fix", body: "", state: "open", draft: false, author: "ai-agent[bot]", head: { ref: "ai/41-fix", sha: accepted }, base: { ref: "main" }, url: "" };
    const versionControl = githubVersionControl(octokit(), { owner: "Codertocat", repo: "Hello-World" });
    return {
      target: { runId: "r", owner: "Codertocat", repo: "Hello-World", number: 41, actor: "ai-agent[bot]", defaultBranch: "main", input: "", change },
      config: defaultRepoConfig(),
      source: { versionControl, committer: () => Promise.resolve({ name: "ai-agent[bot]", email: "bot@example.com" }) },
      model: untouchable,
      workspace: untouchable,
    } as unknown as CodingRun; // only what fixCi reads before the agent starts; the rest throws if used
  };

  beforeEach(async () => {
    github = fakeGitHub();
    ci = await fakeCi(github);
    github.pulls.set(41, { head: NEW, base: "main", author: "ai-agent[bot]", ref: "ai/41-fix" });
  });
  afterEach(async () => {
    github.done();
    await ci.close();
  });

  it("does nothing when the head moved on since the failure, and says so", async () => {
    ci.fail(OLD, { name: "test", log: "AssertionError" });
    const outputs = await fixCi(session(OLD), octokit(), {});
    expect(outputs).toEqual({ branch: "ai/41-fix", changed: false, summary: expect.stringContaining("The head moved on since the checks failed (1111111 → 2222222)") as string, checks: [], files_changed: [] });
    expect(github.requests.some((r) => r.path.includes("check-runs"))).toBe(false);
  });

  it("does nothing when no check fails on the head any more", async () => {
    ci.pass(NEW, "test");
    const outputs = await fixCi(session(NEW), octokit(), {});
    expect(outputs).toMatchObject({ changed: false, summary: "No check fails on the head any more, so there is nothing to fix.", checks: [] });
  });

  it("refuses a fork's branch, which it cannot push to", async () => {
    github.pulls.set(41, { head: NEW, base: "main", author: "someone", ref: "patch-1", headRepo: "someone/Hello-World" });
    await expect(fixCi(session(NEW), octokit(), {})).rejects.toThrow("in a fork (someone/Hello-World)");
  });
});
