import { execFileSync } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CodingRun } from "../../src/agent/coding-tools.js";
import type { IssueText } from "../../src/agent/context.js";
import { ModelAccess } from "../../src/agent/model-access.js";
import { RunWorkspace } from "../../src/agent/run-workspace.js";
import { defaultRepoConfig } from "../../src/config/repo-config-schema.js";
import { UserFacingError } from "../../src/core/errors.js";
import { AnthropicClient } from "../../src/integrations/anthropic/client.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { selfReview } from "../../src/review/self-review.js";
import { WorkspaceManager } from "../../src/workspace/workspace.js";
import { type FakeAnthropic, startFakeAnthropic } from "../helpers/fake-anthropic.js";
import { git } from "../helpers/git.js";
import { forgetfulLedger } from "../helpers/ledger.js";
import { bubblewrap, reachableTempDir } from "../helpers/sandbox.js";

/**
 * `ai.self_review` in a run resumed on another worker: no workspace in this process, so the step
 * prepares one from the pushed branch and reviews what the branch adds to the base; and when the
 * fix was pushed before the step could be recorded, it neither reviews nor fixes a second time.
 */

const BRANCH = "ai/7-fix-the-typo";
const ISSUE: IssueText = { number: 7, title: "Fix the typo", author: "maintainer", body: "The README says tipo.", bodyWithheld: false, comments: [], omittedComments: 0, labels: [] };

let root: string;
let remote: string;
let seed: string;
let anthropic: FakeAnthropic;
let sandbox: Sandbox;
let workspaces: RunWorkspace[] = [];

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
  sandbox = await bubblewrap();
});
afterAll(() => anthropic.close());
beforeEach(async () => {
  root = await reachableTempDir("ai-agent-self-review-resume-");
  seed = path.join(root, "seed");
  remote = path.join(root, "remote.git");
  execFileSync("git", ["init", "-q", "-b", "main", seed]);
  await writeFile(path.join(seed, "README.md"), "This is a tipo.\n");
  git(seed, "add", ".");
  git(seed, "-c", "user.name=Seed", "-c", "user.email=seed@example.com", "commit", "-q", "-m", "init");
  execFileSync("git", ["clone", "-q", "--bare", seed, remote]);
});
afterEach(async () => {
  await Promise.all(workspaces.map((workspace) => workspace.dispose()));
  workspaces = [];
  expect(anthropic.pending()).toBe(0);
  await rm(root, { recursive: true, force: true });
});

/** What one worker's run has: its own workspace (none prepared yet) and model access. */
function session(runId: string): CodingRun {
  const config = defaultRepoConfig();
  const workspace = new RunWorkspace({
    workspaces: new WorkspaceManager({ cacheDir: path.join(root, `cache-${runId}`) }),
    sandbox,
    commandTimeoutMs: 30_000,
    runId,
    repo: "acme/widgets",
    remoteUrl: remote,
    baseBranch: "main",
    token: () => Promise.resolve(undefined),
  });
  workspaces.push(workspace);
  const model = new ModelAccess({ provider: new AnthropicClient({ apiKey: "sk-ant-resume", baseURL: anthropic.url, maxRetries: 0 }), store: forgetfulLedger(), runId, repo: "acme/widgets", budgets: config.budgets });
  return {
    target: { runId, owner: "acme", repo: "widgets", number: 7, actor: "maintainer", defaultBranch: "main", input: "" },
    config,
    source: {
      issue: () => Promise.resolve(ISSUE),
      token: () => Promise.resolve(undefined),
      committer: () => Promise.resolve({ name: "ai-agent[bot]", email: "bot@example.com" }),
      requester: () => Promise.resolve({ name: "maintainer", email: "maintainer@example.com" }),
    },
    model,
    workspace,
  };
}

/** The branch on the remote with the given commits on top of main, each a README text and a subject. */
async function pushBranch(commits: [readme: string, subject: string][]): Promise<void> {
  git(seed, "checkout", "-q", "-b", BRANCH);
  for (const [readme, subject] of commits) {
    await writeFile(path.join(seed, "README.md"), readme);
    git(seed, "-c", "user.name=Agent", "-c", "user.email=agent@example.com", "commit", "-q", "-am", subject);
  }
  git(seed, "push", "-q", remote, BRANCH);
}

describe("ai.self_review resumed on another worker", () => {
  it("prepares the workspace from the pushed branch and reviews what the branch adds", async () => {
    await pushBranch([["This is a typo.\n", "fix: fix the typo (#7)"]]);
    const run = session("run-a");
    expect(run.workspace.current()).toBeUndefined();
    anthropic.push({ content: [{ type: "tool_use", name: "report_findings", input: { overview: "Fixes a typo.", findings: [] } }] });

    const outputs = await selfReview(run, { branch: BRANCH });
    expect(outputs).toMatchObject({ findings: 0, addressed: 0, changed: false, sha: git(remote, "rev-parse", BRANCH) });
    expect(outputs.section).toBe("### Self-review\nThe reviewer read this change before the pull request was opened and found nothing at or above `high`.");
    expect(run.workspace.current()?.branch).toBe(BRANCH);
    const review = anthropic.requests.at(-1)!.raw;
    expect(review).toContain("L1 - This is a tipo.");
    expect(review).toContain("R1 + This is a typo.");
  });

  it("asks the model nothing when the branch already has the self-review's fix, and names that commit", async () => {
    await pushBranch([
      ["This is a typo.\n", "fix: fix the typo (#7)"],
      ["This is no typo.\n", "fix: address self-review findings (#7)"],
    ]);
    const asked = anthropic.requests.length;
    const outputs = await selfReview(session("run-b"), { branch: BRANCH });
    const head = git(remote, "rev-parse", BRANCH);
    expect(outputs).toEqual({
      findings: 0,
      addressed: 0,
      changed: true,
      sha: head,
      section: `### Self-review\nThe agent addressed the self-review's findings in ${head.slice(0, 7)}; its commit message lists them.`,
    });
    expect(anthropic.requests.length).toBe(asked);
  });

  it("fails in words when the branch is not on the remote", async () => {
    const error = await selfReview(session("run-c"), { branch: BRANCH }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toBe(`The branch ${BRANCH} is not on the remote, so there is no change to review; start the run again.`);
  });
});
