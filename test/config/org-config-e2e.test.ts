import type { IssuesLabeledEvent } from "@octokit/webhooks-types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { workflowTasks } from "../../src/runs/workflow-task.js";
import { type TestApp, WEBHOOK_SECRET, eventually, startTestApp } from "../helpers/app-server.js";
import { type FakeGitHub, fakeGitHub } from "../helpers/fake-github.js";
import { deliver, examplePayload } from "../helpers/webhooks.js";

/**
 * A repository without `.github/ai-agent.yml` in an organisation whose `.github` repository has one:
 * the trigger is read with the organisation's label, and the run executes the organisation's
 * workflow — each read through a token that opens that `.github` repository alone, read-only.
 */

const ORG_CONFIG = [
  "version: 1",
  "triggers:",
  "  implement_label: org:implement",
  "workflows:",
  "  implement:",
  "    steps:",
  '      - { id: hello, uses: github.comment, with: { body: "Set up by the organisation" } }',
  "",
].join("\n");

describe("the organisation's configuration, end to end", () => {
  let app: TestApp;
  let github: FakeGitHub;

  beforeAll(async () => {
    app = await startTestApp(workflowTasks());
    github = fakeGitHub();
    github.permissions.set("Codertocat", "write");
    github.otherFiles.set("Codertocat/.github:.github/ai-agent.yml", ORG_CONFIG);
  });
  afterAll(async () => {
    github?.done();
    await app?.close();
  });

  it("starts on the organisation's label and runs its workflow", async () => {
    const payload = examplePayload<IssuesLabeledEvent>("issues", "labeled");
    payload.label!.name = "org:implement";
    expect((await deliver(app.webhookUrl, "issues", payload, WEBHOOK_SECRET)).status).toBe(200);

    const posted = await eventually(async () => github.comments().find((c) => c.method === "POST" && c.body === "Set up by the organisation"));
    expect(posted.path).toBe(`/repos/Codertocat/Hello-World/issues/${payload.issue.number}/comments`);
    const runs = await app.database.store.listRuns({ repo: "Codertocat/Hello-World", number: payload.issue.number });
    expect(runs.map((run) => run.task)).toEqual(["implement"]);

    // Read once, by the intake, with a token for that repository alone; the run follows what the intake read.
    const orgReads = github.requests.filter((r) => r.method === "GET" && r.path.startsWith("/repos/Codertocat/.github/contents/"));
    expect(orgReads).toHaveLength(1);
    expect(runs[0]!.basis?.config.map((read) => [read.repo, read.file?.text.includes("Set up by the organisation") ?? null])).toEqual([
      ["Hello-World", null],
      [".github", true],
    ]);
    const scopes = github.requests.filter((r) => r.path.endsWith("/access_tokens")).map((r) => r.body);
    expect(scopes).toContainEqual({ repositories: [".github"], permissions: { metadata: "read", contents: "read" } });
    for (const scope of scopes as { repositories: string[]; permissions: Record<string, string> }[]) {
      if (scope.repositories[0] === ".github") expect(Object.values(scope.permissions).every((p) => p === "read")).toBe(true);
    }
  });

  it("is not used for a label of the built-in configuration", async () => {
    const payload = examplePayload<IssuesLabeledEvent>("issues", "labeled");
    payload.label!.name = "ai:implement";
    payload.issue.number = 77;
    const before = github.requests.filter((r) => r.path.startsWith("/repos/Codertocat/.github/contents/")).length;
    expect((await deliver(app.webhookUrl, "issues", payload, WEBHOOK_SECRET)).status).toBe(200);
    // The intake read the organisation's file again, and found ai:implement is not its label.
    await eventually(async () => github.requests.filter((r) => r.path.startsWith("/repos/Codertocat/.github/contents/")).length > before);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await app.database.store.listRuns({ repo: "Codertocat/Hello-World", number: 77 })).toEqual([]);
  });
});
