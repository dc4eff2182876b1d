import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { integrationActions } from "../../helpers/integration-actions.js";

const JIRA = "https://acme-actions.atlassian.test";

describe("jira.* actions", () => {
  const { action, context, run: runAction } = integrationActions(
    { JIRA_BASE_URL: JIRA, JIRA_EMAIL: "bot@acme.test", JIRA_API_TOKEN: "t" },
    { jira: { project: "ABC", create_tasks: false, transitions: {} } },
  );
  /** A run whose linked Jira issue is ABC-12, unless another context is given. */
  const run = (name: string, input: unknown, ctx = context({ jira: { taskKey: "ABC-12" } })) => runAction(name, input, ctx);

  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("jira.create_issue creates a task in the configured project and gives its key and address", async () => {
    let fields: unknown;
    nock(JIRA)
      .post("/rest/api/3/issue")
      .reply(201, (_path, body) => {
        fields = (body as { fields: unknown }).fields;
        return { id: "10042", key: "ABC-42", self: `${JIRA}/rest/api/3/issue/10042` };
      });
    expect(await run("jira.create_issue", { summary: "Follow up", description: "Later." })).toEqual({ key: "ABC-42", url: `${JIRA}/browse/ABC-42` });
    expect(fields).toEqual({
      project: { key: "ABC" },
      summary: "Follow up",
      description: { type: "doc", version: 1, content: [{ type: "paragraph", content: [{ type: "text", text: "Later." }] }] },
      issuetype: { name: "Task" },
    });
  });

  it("jira.transition moves the linked issue, and says when the transition does not exist", async () => {
    nock(JIRA)
      .get("/rest/api/3/issue/ABC-12/transitions")
      .twice()
      .reply(200, { transitions: [{ id: "41", name: "Done", to: { name: "Done" } }] })
      .post("/rest/api/3/issue/ABC-12/transitions", { transition: { id: "41" } })
      .reply(204);
    expect(await run("jira.transition", { to: "done" })).toEqual({ issue: "ABC-12", moved: true });
    await expect(run("jira.transition", { to: "In Review" })).rejects.toThrow('Jira issue ABC-12 has no transition named "In Review" from its current status.');
  });

  it("jira.comment needs a linked issue or an issue input", async () => {
    await expect(run("jira.comment", { body: "hi" }, context())).rejects.toThrow("jira.comment: no Jira issue is linked to this run; name one with the issue input.");
    expect(() => action("jira.comment").input.parse({ body: "hi", issue: "abc-1" })).toThrow(/Jira issue key/);
  });

  it("jira.comment and jira.transition take a given issue only in the configured project", async () => {
    // No request is expected: nock refuses any.
    await expect(run("jira.comment", { body: "hi", issue: "XYZ-3" })).rejects.toThrow("jira.comment: XYZ-3 is not an issue of the Jira project ABC that notify.jira names.");
    await expect(run("jira.transition", { to: "Done", issue: "UTF-8" })).rejects.toThrow("jira.transition: UTF-8 is not an issue of the Jira project ABC");
  });
});
