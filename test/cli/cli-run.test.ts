import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLocally } from "../../src/cli/run.js";
import { type FakeAnthropic, startFakeAnthropic } from "../helpers/fake-anthropic.js";
import { git } from "../helpers/git.js";


describe("ai-agent run: the implement workflow on a local repository", () => {
  let dir: string;
  let repo: string;
  let anthropic: FakeAnthropic;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ai-agent-cli-run-"));
    repo = path.join(dir, "project");
    execFileSync("git", ["init", "-q", "-b", "main", repo]);
    await writeFile(path.join(repo, "README.md"), "This is a tipo.\n");
    git(repo, "add", ".");
    git(repo, "-c", "user.name=Me", "-c", "user.email=me@example.com", "commit", "-q", "-m", "init");
    await writeFile(path.join(dir, "issue.md"), "# Fix the typo\n\nThe README says tipo.\n");
    anthropic = await startFakeAnthropic();
  });
  afterAll(async () => {
    await anthropic.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("leaves a branch with the agent's commit and prints the summary and cost", async () => {
    anthropic.push(
      { content: [{ type: "tool_use", name: "submit_plan", input: { summary: "Fix it.", steps: [{ title: "Edit README" }], estimate: "minutes" } }] },
      { content: [{ type: "tool_use", name: "str_replace_based_edit_tool", input: { command: "str_replace", path: "README.md", old_str: "tipo", new_str: "typo" } }] },
      { content: [{ type: "tool_use", name: "finish", input: { summary: "Corrected the README." } }] },
    );
    const out: string[] = [];
    const err: string[] = [];
    const code = await runLocally({
      repo,
      issueFile: path.join(dir, "issue.md"),
      number: 3,
      workflow: "implement",
      env: { ANTHROPIC_API_KEY: "sk-ant-cli", ANTHROPIC_BASE_URL: anthropic.url },
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    expect([code, err.filter((line) => line.startsWith("failed"))]).toEqual([0, []]);
    // A cheap run's cost shows its digits under a cent ($0.0081), not $0.00.
    expect(out.join("\n")).toMatch(/^Corrected the README\.\n\nBranch: ai\/3-fix-the-typo in .+\nCost: \$0\.\d{2,6}$/);
    expect(err).toContain("(step pull_request uses github.create_pull_request, which needs the app; it is skipped here)");
    expect(git(repo, "branch", "--list", "ai/*")).toBe("ai/3-fix-the-typo");
    expect(git(repo, "show", "ai/3-fix-the-typo:README.md")).toBe("This is a typo.");
    expect(git(repo, "log", "-1", "--format=%s", "ai/3-fix-the-typo")).toBe("feat: fix the typo (#3)");
    // The user's own checkout is untouched.
    expect(git(repo, "status", "--porcelain")).toBe("");
    expect(git(repo, "rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
  });

  it("says what is missing", async () => {
    const err: string[] = [];
    const io = { out: () => undefined, err: (t: string) => err.push(t) };
    expect(await runLocally({ repo, issueFile: path.join(dir, "issue.md"), number: 1, workflow: "implement", env: {}, ...io })).toBe(2);
    expect(await runLocally({ repo: dir, issueFile: "x.md", number: 1, workflow: "implement", env: { ANTHROPIC_API_KEY: "k" }, ...io })).toBe(2);
    expect(err).toEqual([
      "ai-agent: set ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL for another endpoint) to run the agent",
      `ai-agent: ${dir} is not a git repository`,
    ]);
  });
});
