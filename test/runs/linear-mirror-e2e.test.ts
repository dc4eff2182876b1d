import type { IssuesLabeledEvent } from "@octokit/webhooks-types";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectIntegrations } from "../../src/integrations/connect.js";
import { builtInIntegrations } from "../../src/integrations/registry.js";
import { workflowTasks } from "../../src/runs/workflow-task.js";
import { type TestApp, WEBHOOK_SECRET, eventually, startTestApp } from "../helpers/app-server.js";
import { type FakeGitHub, fakeGitHub } from "../helpers/fake-github.js";
import { type FakeLinear, fakeLinear } from "../helpers/fake-linear.js";
import { deliver, examplePayload } from "../helpers/webhooks.js";

/**
 * A run mirrored to Linear through the whole app: the run reads the issue's identifier from its
 * writer's title, comments on and moves the Linear issue, attaches the pull request once, and its
 * workflow's own linear.* step comments explicitly; Linear's rate limit is waited out, and an
 * error of Linear's is recorded on the run without failing it.
 */

const REPO = "Codertocat/Hello-World";
const LINEAR = "https://linear-e2e.test/graphql";
const PR = "https://github.com/Codertocat/Hello-World/pull/100";

const config = (note: boolean) =>
  [
    "version: 1",
    "notify:",
    "  linear:",
    "    team: ENG",
    "workflows:",
    "  implement:",
    "    steps:",
    "      - id: pr",
    "        uses: github.create_pull_request",
    '        with: { title: "{{ issue.title }}", head: "ai/{{ issue.number }}-work", body: "Closes #{{ issue.number }}" }',
    ...(note ? ["      - id: note", "        uses: linear.comment", '        with: { body: "Opened {{ steps.pr.outputs.url }}" }'] : []),
    "",
  ].join("\n");

describe("the Linear mirror through the app", () => {
  let app: TestApp;
  let github: FakeGitHub;
  let linear: FakeLinear;

  beforeAll(async () => {
    app = await startTestApp((store) =>
      workflowTasks({
        mirrors: { integrations: connectIntegrations(builtInIntegrations, { LINEAR_API_KEY: "lin-e2e", LINEAR_API_URL: LINEAR }), store, log: { warn: () => undefined } },
        runUrl: (id) => `http://127.0.0.1/runs/${id}`,
      }),
    );
  });
  afterAll(() => app.close());
  beforeEach(() => {
    github = fakeGitHub();
    github.permissions.set("Codertocat", "write");
    linear = fakeLinear(LINEAR, { apiKey: "lin-e2e" });
  });
  afterEach(() => github.done());

  const start = async (number: number, title: string, note: boolean) => {
    for (const ref of ["master", "main"]) github.configFiles.set(ref, config(note));
    github.issueTitles.set(number, title);
    const payload = examplePayload<IssuesLabeledEvent>("issues", "labeled");
    payload.label!.name = "ai:implement";
    payload.issue.number = number;
    payload.issue.title = title;
    await deliver(app.webhookUrl, "issues", payload, WEBHOOK_SECRET);
    return eventually(async () => (await app.database.store.listRuns({ repo: REPO, number })).find((r) => r.status === "succeeded"), 30_000);
  };

  it("comments on each notable event, moves the issue, attaches the pull request once, through a rate limit", async () => {
    const issue = linear.addIssue("Login fails");
    linear.rateLimit(1, 50);
    const run = await start(31, `${issue.identifier}: login fails`, true);
    await eventually(async () => issue.comments.some((c) => c.body.includes("finished")), 15_000);

    const runLink = `[Run details](<http://127.0.0.1/runs/${run.id}>)`;
    // The sink's comments and the workflow's own linear.comment step, each once (the step's and
    // the mirror's, which goes on in the background, in either order).
    expect(issue.comments.map((c) => c.body).sort()).toEqual(
      [
        `ai-agent implement for Codertocat/Hello-World\\#31 started, asked by Codertocat. ${runLink}`,
        `ai-agent implement for Codertocat/Hello-World\\#31 opened a pull request. [Pull request](<${PR}>)`,
        `Opened ${PR}`,
        `ai-agent implement for Codertocat/Hello-World\\#31 finished \\(cost $0.00\\). ${runLink}`,
      ].sort(),
    );
    expect(issue.attachments.map((a) => a.url)).toEqual([PR]);
    expect(issue.stateId).toBe(linear.team.states.find((s) => s.name === "In Review")!.id);
    expect(linear.resets).toHaveLength(1);
    const stored = await app.database.store.getRun(run.id);
    expect(stored!.links).toMatchObject({ linearKey: issue.identifier, linearIssue: issue.url, linearAttachment: issue.attachments[0]!.id });
    expect(stored!.links.linearError).toBeUndefined();
  });

  it("records Linear's error on the run and still succeeds", async () => {
    const run = await start(32, "ENG-404: gone", false);
    const stored = await eventually(async () => {
      const found = await app.database.store.getRun(run.id);
      return found?.links.linearError ? found : undefined;
    }, 15_000);
    expect(stored.status).toBe("succeeded");
    expect(stored.links.linearError).toBe("Linear answered issue with an error: Could not find referenced Issue.");
  });
});
