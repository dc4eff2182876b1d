import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultRepoConfig } from "../../../src/config/repo-config-schema.js";
import { workflowsSchema } from "../../../src/config/workflow-schema.js";
import type { ActionContext } from "../../../src/core/action.js";
import { connectIntegrations, repositoryParts } from "../../../src/integrations/connect.js";
import { linearCreateTasks } from "../../../src/integrations/linear/create-tasks.js";
import { taskMarker } from "../../../src/integrations/linear/tracker.js";
import { builtInIntegrations } from "../../../src/integrations/registry.js";
import { ActionRegistry } from "../../../src/workflow/action-registry.js";
import { runWorkflow } from "../../../src/workflow/engine.js";
import { type FakeLinear, fakeLinear } from "../../helpers/fake-linear.js";
import { memoryHooks, testActions } from "../../workflow/helpers.js";

const API = "https://linear-tasks.test/graphql";
const TASKS = [
  { title: "First", details: "Do the first thing." },
  { title: "Second", details: "" },
  { title: "Third", details: "Then this." },
  { title: "Fourth", details: "" },
];

describe("linear.create_tasks", () => {
  let linear: FakeLinear;
  const config = { ...defaultRepoConfig(), notify: { linear: { team: "ENG", create_tasks: true, states: {} } } };
  const connected = connectIntegrations(builtInIntegrations, { LINEAR_API_KEY: "lin-tasks", LINEAR_API_URL: API });
  const context = (taskKey?: string, runId = "3f2c9a7e-run"): ActionContext => ({
    target: { runId, owner: "acme", repo: "widgets", number: 9, actor: "octocat" },
    services: { integrations: { linear: { ...repositoryParts(connected, config).get("linear")!, ...(taskKey ? { taskKey } : {}) } } },
    signal: new AbortController().signal,
    emit: () => undefined,
  });
  const create = (ctx = context("ENG-1")) => linearCreateTasks.run(linearCreateTasks.input.parse({ tasks: TASKS }), ctx);

  beforeEach(() => {
    nock.disableNetConnect();
    linear = fakeLinear(API, { apiKey: "lin-tasks" });
    linear.addIssue("The run's issue");
  });
  afterEach(() => {
    linear.done();
    nock.enableNetConnect();
  });

  it("creates each task as a sub-issue of the run's issue, marked with the run and its place", async () => {
    const outputs = await create();
    const made = linear.issues.slice(1);
    expect(outputs).toEqual({
      keys: ["ENG-2", "ENG-3", "ENG-4", "ENG-5"],
      urls: made.map((issue) => issue.url),
      list: made.map((issue, i) => `${i + 1}. **${TASKS[i]!.title}** — [${issue.identifier}](${issue.url})`).join("\n"),
    });
    expect(made.map((issue) => [issue.title, issue.parentId])).toEqual(TASKS.map((task) => [task.title, linear.issue("ENG-1")!.id]));
    expect(made[0]!.description).toBe("Do the first thing.\n\nFrom the plan of acme/widgets#9.\n\n[ai-agent-task:3f2c9a7e-run-0]");
  });

  it("creates issues of the team when the run has no Linear issue", async () => {
    await create(context());
    expect(linear.issues.slice(1).map((issue) => issue.parentId)).toEqual([null, null, null, null]);
  });

  it("a re-run after a failure half-way creates only the missing ones, reading every page of the search", async () => {
    linear.refuseCreation = 3;
    await expect(create()).rejects.toThrow("Linear answered issueCreate with an error: Internal server error");
    expect(linear.issues).toHaveLength(3);

    const outputs = await create();
    expect(outputs.keys).toEqual(["ENG-2", "ENG-3", "ENG-4", "ENG-5"]);
    expect(linear.issues.slice(1).map((issue) => issue.description.split("\n").pop())).toEqual(TASKS.map((_t, i) => taskMarker(`3f2c9a7e-run-${i}`)));
    // Once more: all four found, over two pages of the search, and none created.
    expect((await create()).keys).toEqual(outputs.keys);
    expect(linear.issues).toHaveLength(5);
    expect(linear.requests.filter((r) => r.operation === "MarkedIssues").map((r) => r.variables.after)).toEqual([null, null, null, "2"]);
    // Task 1's marker is not read in task 10's.
    expect(taskMarker("run-10")).not.toContain(taskMarker("run-1"));
  });

  const rollback = async () => {
    const { actions } = testActions();
    const registry = new ActionRegistry([linearCreateTasks]).with(actions.names().map((name) => actions.get(name)!));
    const workflows = workflowsSchema.parse({
      demo: {
        steps: [
          { id: "linear_tasks", uses: "linear.create_tasks", with: { tasks: TASKS.slice(0, 2) } },
          { id: "later", uses: "test.fail", on_error: "rollback" },
        ],
      },
    });
    const hooks = memoryHooks();
    const ctx = context("ENG-1");
    const result = await runWorkflow({ name: "demo", workflow: workflows.demo!, workflows, actions: registry, scope: { config: {} }, target: ctx.target, services: ctx.services, hooks });
    return { result, step: hooks.steps.get("linear_tasks")! };
  };

  it("deletes the issues it created when a later step rolls the run back", async () => {
    const { result, step } = await rollback();
    expect(result.status).toBe("failed");
    expect(step.status).toBe("rolled_back");
    expect(linear.issues.map((issue) => issue.identifier)).toEqual(["ENG-1"]);
  });

  it("takes an issue someone already deleted as rolled back", async () => {
    const task = linear.addIssue("Made by the step");
    await linearCreateTasks.compensate!({ tasks: [] }, { keys: ["ENG-99", task.identifier] }, context("ENG-1"));
    expect(linear.issues.map((issue) => issue.identifier)).toEqual(["ENG-1"]);
  });
});
