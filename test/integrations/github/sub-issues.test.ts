import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ActionContext } from "../../../src/core/action.js";
import { githubCreateSubIssues, subIssueMarker } from "../../../src/integrations/github/sub-issues.js";
import { ActionRegistry } from "../../../src/workflow/action-registry.js";
import { runWorkflow } from "../../../src/workflow/engine.js";
import { type FakeGitHub, fakeGitHub } from "../../helpers/fake-github.js";
import { memoryHooks, testActions } from "../../workflow/helpers.js";
import { workflowsSchema } from "../../../src/config/workflow-schema.js";

const TASKS = [
  { title: "Fix the typo", details: "tipo → typo" },
  { title: "Add a spell check", details: "" },
  { title: "Ask @stranger", details: "fixes #3 <!-- hidden -->" },
  { title: "Document it", details: "In the README." },
];

describe("github.create_sub_issues", () => {
  let github: FakeGitHub;
  const context = (runId = "run-1"): ActionContext => ({
    target: { runId, owner: "Codertocat", repo: "Hello-World", number: 8, actor: "Codertocat" },
    services: { github: new ProbotOctokit({ auth: { token: "ghs_test" }, throttle: { enabled: false }, retry: { enabled: false } }) },
    signal: new AbortController().signal,
    emit: () => undefined,
  });
  const create = (ctx = context()) => githubCreateSubIssues.run(githubCreateSubIssues.input.parse({ tasks: TASKS }), ctx);

  beforeEach(() => {
    github = fakeGitHub();
  });
  afterEach(() => github.done());

  it("opens each task as a sub-issue of the run's issue, marked with the run and its place, the model's text neutralised", async () => {
    const outputs = await create();
    expect(outputs).toEqual({
      issues: ["#500", "#501", "#502", "#503"],
      urls: [500, 501, 502, 503].map((n) => `https://github.com/Codertocat/Hello-World/issues/${n}`),
      list: ["1. **Fix the typo** — #500", "2. **Add a spell check** — #501", "3. **Ask `@stranger`** — #502", "4. **Document it** — #503"].join("\n"),
    });
    expect(github.createdIssues.map(({ title, body }) => ({ title, body }))).toEqual([
      { title: "Fix the typo", body: `tipo → typo\n\nPart of #8.\n\n${subIssueMarker("run-1", 0)}` },
      { title: "Add a spell check", body: `Part of #8.\n\n${subIssueMarker("run-1", 1)}` },
      { title: "Ask `@stranger`", body: `\`fixes #3\` &lt;!-- hidden -->\n\nPart of #8.\n\n${subIssueMarker("run-1", 2)}` },
      { title: "Document it", body: `In the README.\n\nPart of #8.\n\n${subIssueMarker("run-1", 3)}` },
    ]);
    expect(github.subIssues.get(8)).toEqual([500, 501, 502, 503]);
  });

  it("a re-run after a failure half-way opens only the missing ones: one sub-issue per task", async () => {
    github.refuseIssueCreation = 3;
    await expect(create()).rejects.toMatchObject({ status: 403 });
    expect(github.subIssues.get(8)).toEqual([500, 501]);

    const outputs = await create();
    expect(outputs.issues).toEqual(["#500", "#501", "#502", "#503"]);
    expect(github.subIssues.get(8)).toHaveLength(TASKS.length);
    const markers = github.createdIssues.map((issue) => /index=(\d+)/.exec(issue.body)?.[1]);
    expect(markers).toEqual(["0", "1", "2", "3"]);
    // Listed once per run, on every page GitHub has.
    expect(github.requests.filter((r) => r.method === "GET" && r.path.includes("/issues/8/sub_issues"))).toHaveLength(2);

    // Another run's tasks are its own.
    await create(context("run-2"));
    expect(github.subIssues.get(8)).toHaveLength(2 * TASKS.length);
  });

  it("closes the sub-issues it opened, as not planned, when a later step rolls the run back", async () => {
    github.subIssues.set(8, []);
    const { actions } = testActions();
    const registry = new ActionRegistry([githubCreateSubIssues]).with(actions.names().map((name) => actions.get(name)!));
    const workflows = workflowsSchema.parse({
      demo: {
        steps: [
          { id: "sub_issues", uses: "github.create_sub_issues", with: { tasks: TASKS.slice(0, 2) } },
          { id: "later", uses: "test.fail", with: { message: "the later step failed" }, on_error: "rollback" },
        ],
      },
    });
    const hooks = memoryHooks();
    const ctx = context();
    const result = await runWorkflow({ name: "demo", workflow: workflows.demo!, workflows, actions: registry, scope: { config: {} }, target: ctx.target, services: ctx.services, hooks });
    expect(result.status).toBe("failed");
    expect(hooks.steps.get("sub_issues")?.status).toBe("rolled_back");
    expect(github.createdIssues.map(({ number, state, state_reason }) => [number, state, state_reason])).toEqual([
      [500, "closed", "not_planned"],
      [501, "closed", "not_planned"],
    ]);
    // Nothing else was touched.
    expect(github.requests.filter((r) => r.method === "PATCH").map((r) => r.path)).toEqual(["/repos/Codertocat/Hello-World/issues/500", "/repos/Codertocat/Hello-World/issues/501"]);
  });
});
