import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultRepoConfig } from "../../../src/config/repo-config-schema.js";
import { workflowsSchema } from "../../../src/config/workflow-schema.js";
import type { ActionContext } from "../../../src/core/action.js";
import { connectIntegrations, repositoryParts } from "../../../src/integrations/connect.js";
import { jiraCreateTasks } from "../../../src/integrations/jira/create-tasks.js";
import { taskLabel } from "../../../src/integrations/jira/tracker.js";
import { builtInIntegrations } from "../../../src/integrations/registry.js";
import { ActionRegistry } from "../../../src/workflow/action-registry.js";
import { runWorkflow } from "../../../src/workflow/engine.js";
import { type FakeJira, fakeJira } from "../../helpers/fake-jira.js";
import { memoryHooks, testActions } from "../../workflow/helpers.js";

const JIRA = "https://acme-tasks.atlassian.test";
const TASKS = [
  { title: "First", details: "Do the first thing." },
  { title: "Second", details: "" },
  { title: "Third", details: "Then this." },
  { title: "Fourth", details: "" },
];

describe("jira.create_tasks", () => {
  let jira: FakeJira;
  const config = { ...defaultRepoConfig(), notify: { jira: { project: "ABC", create_tasks: true, transitions: {} } } };
  const connected = connectIntegrations(builtInIntegrations, { JIRA_BASE_URL: JIRA, JIRA_EMAIL: "bot@acme.test", JIRA_API_TOKEN: "jira-tasks-token" });
  const context = (runId = "3f2c9a7e-run"): ActionContext => ({
    target: { runId, owner: "acme", repo: "widgets", number: 9, actor: "octocat" },
    services: { integrations: { jira: repositoryParts(connected, config).get("jira")! } },
    signal: new AbortController().signal,
    emit: () => undefined,
  });
  const create = (ctx = context()) => jiraCreateTasks.run(jiraCreateTasks.input.parse({ tasks: TASKS }), ctx);

  beforeEach(() => {
    nock.disableNetConnect();
    jira = fakeJira(JIRA);
  });
  afterEach(() => {
    jira.done();
    nock.enableNetConnect();
  });

  it("creates each task in the project, labelled with the run and its place", async () => {
    const outputs = await create();
    expect(outputs).toEqual({
      keys: ["ABC-1", "ABC-2", "ABC-3", "ABC-4"],
      urls: [1, 2, 3, 4].map((n) => `${JIRA}/browse/ABC-${n}`),
      list: ["First", "Second", "Third", "Fourth"].map((title, i) => `${i + 1}. **${title}** — [ABC-${i + 1}](${JIRA}/browse/ABC-${i + 1})`).join("\n"),
    });
    expect(jira.issues.map((issue) => [issue.summary, issue.type, issue.labels])).toEqual(TASKS.map((task, i) => [task.title, "Task", [`ai-agent-3f2c9a7e-run-${i}`]]));
    expect(jira.issues[0]!.description).toEqual({ type: "doc", version: 1, content: [{ type: "paragraph", content: [{ type: "text", text: "Do the first thing.\n\nFrom the plan of acme/widgets#9." }] }] });
    expect(jira.searches).toEqual([`project = "ABC" AND labels in (${TASKS.map((_t, i) => `"ai-agent-3f2c9a7e-run-${i}"`).join(", ")})`]);
  });

  it("a re-run after a failure half-way creates only the missing ones: one Jira task per step", async () => {
    jira.refuseCreation = 3;
    await expect(create()).rejects.toThrow(/Jira answered 500 to POST \/rest\/api\/3\/issue/);
    expect(jira.issues).toHaveLength(2);

    const outputs = await create();
    expect(outputs.keys).toEqual(["ABC-1", "ABC-2", "ABC-4", "ABC-5"]);
    expect(jira.issues).toHaveLength(TASKS.length);
    expect(jira.issues.map((issue) => issue.labels[0])).toEqual(TASKS.map((_t, i) => `ai-agent-3f2c9a7e-run-${i}`));
  });

  it("makes labels Jira takes of any run id", () => {
    expect(taskLabel("run id/with spaces-0")).toBe("ai-agent-run-id-with-spaces-0");
    expect(taskLabel("x".repeat(300))).toHaveLength(255);
  });

  const rollback = async () => {
    const { actions } = testActions();
    const registry = new ActionRegistry([jiraCreateTasks]).with(actions.names().map((name) => actions.get(name)!));
    const workflows = workflowsSchema.parse({
      demo: {
        steps: [
          { id: "jira_tasks", uses: "jira.create_tasks", with: { tasks: TASKS.slice(0, 2) } },
          { id: "later", uses: "test.fail", on_error: "rollback" },
        ],
      },
    });
    const hooks = memoryHooks();
    const ctx = context();
    const result = await runWorkflow({ name: "demo", workflow: workflows.demo!, workflows, actions: registry, scope: { config: {} }, target: ctx.target, services: ctx.services, hooks });
    return { result, step: hooks.steps.get("jira_tasks")! };
  };

  it("deletes the tasks it created when a later step rolls the run back", async () => {
    jira.issues.push({ id: "9000", key: "ABC-900", summary: "Someone else's", type: "Task", labels: [], description: null });
    const { result, step } = await rollback();
    expect(result.status).toBe("failed");
    expect(step.status).toBe("rolled_back");
    expect(jira.issues.map((issue) => issue.key)).toEqual(["ABC-900"]);
  });

  it("says which tasks stay when Jira refuses to delete them", async () => {
    jira.refuseDeletes = true;
    const { step } = await rollback();
    expect(step.status).toBe("succeeded");
    expect(step.error).toBe("rollback failed: Jira kept ABC-1, ABC-2: the project does not let the app delete issues (Delete Issues permission); remove them by hand.");
    expect(jira.issues).toHaveLength(2);
  });
});
