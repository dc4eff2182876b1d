import { describe, expect, it } from "vitest";
import { runLocally } from "../../src/cli/run.js";
import { git } from "../helpers/git.js";
import { FIX_THE_TYPO, typoRepository } from "../helpers/typo-repository.js";

describe("ai-agent run: the implement workflow on a local repository", () => {
  const project = typoRepository("ai-agent-cli-run-");

  it("leaves a branch with the agent's commit and prints the summary and cost", async () => {
    project.anthropic.push(...FIX_THE_TYPO);
    const out: string[] = [];
    const err: string[] = [];
    const code = await runLocally({
      repo: project.repo,
      issueFile: project.issueFile,
      number: 3,
      workflow: "implement",
      env: { ANTHROPIC_API_KEY: "sk-ant-cli", ANTHROPIC_BASE_URL: project.anthropic.url },
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    expect([code, err.filter((line) => line.startsWith("failed"))]).toEqual([0, []]);
    // A cheap run's cost shows its digits under a cent ($0.0081), not $0.00.
    expect(out.join("\n")).toMatch(/^Corrected the README\.\n\nBranch: ai\/3-fix-the-typo in .+\nCost: \$0\.\d{2,6}$/);
    expect(err).toContain("(step pull_request uses github.create_pull_request, which needs the app; it is skipped here)");
    expect(git(project.repo, "branch", "--list", "ai/*")).toBe("ai/3-fix-the-typo");
    expect(git(project.repo, "show", "ai/3-fix-the-typo:README.md")).toBe("This is a typo.");
    expect(git(project.repo, "log", "-1", "--format=%s", "ai/3-fix-the-typo")).toBe("feat: fix the typo (#3)");
    // The user's own checkout is untouched.
    expect(git(project.repo, "status", "--porcelain")).toBe("");
    expect(git(project.repo, "rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
  });

  it("says what is missing", async () => {
    const err: string[] = [];
    const io = { out: () => undefined, err: (t: string) => err.push(t) };
    expect(await runLocally({ repo: project.repo, issueFile: project.issueFile, number: 1, workflow: "implement", env: {}, ...io })).toBe(2);
    expect(await runLocally({ repo: project.dir, issueFile: "x.md", number: 1, workflow: "implement", env: { ANTHROPIC_API_KEY: "k" }, ...io })).toBe(2);
    expect(await runLocally({ repo: project.repo, issueFile: project.issueFile, number: 1, workflow: "implement", env: { MODEL_PROVIDER: "nope" }, ...io })).toBe(2);
    expect(err).toEqual([
      "ai-agent: set ANTHROPIC_API_KEY to run the agent (MODEL_PROVIDER=anthropic)",
      `ai-agent: ${project.dir} is not a git repository`,
      'ai-agent: MODEL_PROVIDER: no model provider is called "nope"; expected one of anthropic',
    ]);
  });
});
