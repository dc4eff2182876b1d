import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeLinear, fakeLinear } from "../../helpers/fake-linear.js";
import { integrationActions } from "../../helpers/integration-actions.js";

const API = "https://linear-actions.test/graphql";

describe("linear.* actions", () => {
  const { action, context, run: runAction } = integrationActions({ LINEAR_API_KEY: "lin-actions", LINEAR_API_URL: API }, { linear: { team: "ENG", create_tasks: false, states: {} } });
  let linear: FakeLinear;
  /** A run whose linked Linear issue is ENG-1, unless another context is given. */
  const run = (name: string, input: unknown, ctx = context({ linear: { taskKey: "ENG-1" } })) => runAction(name, input, ctx);

  beforeEach(() => {
    nock.disableNetConnect();
    linear = fakeLinear(API, { apiKey: "lin-actions" });
    linear.addIssue("Login fails");
  });
  afterEach(() => {
    linear.done();
    nock.enableNetConnect();
  });

  it("linear.comment comments on the linked issue as plain text", async () => {
    const outputs = await run("linear.comment", { body: "Deployed *now*" });
    expect(outputs).toEqual({ id: linear.issue("ENG-1")!.comments[0]!.id, issue: "ENG-1" });
    expect(linear.issue("ENG-1")!.comments[0]!.body).toBe("Deployed \\*now\\*");
  });

  it("linear.transition moves the linked issue to the named state, and says when the team has none", async () => {
    expect(await run("linear.transition", { to: "done" })).toEqual({ issue: "ENG-1", moved: true });
    expect(linear.issue("ENG-1")!.stateId).toBe(linear.team.states.find((s) => s.name === "Done")!.id);
    await expect(run("linear.transition", { to: "Shipped" })).rejects.toThrow('The Linear team of ENG-1 has no workflow state named "Shipped".');
  });

  it("linear.create_issue creates an issue in the configured team", async () => {
    const outputs = await run("linear.create_issue", { title: "Follow up", description: "Later." });
    expect(outputs).toEqual({ key: "ENG-2", url: linear.issue("ENG-2")!.url });
    expect(linear.issue("ENG-2")).toMatchObject({ title: "Follow up", description: "Later.", teamId: linear.team.id, parentId: null });
  });

  it("needs a linked issue or one of the configured team", async () => {
    await expect(run("linear.comment", { body: "hi" }, context())).rejects.toThrow("linear.comment: no Linear issue is linked to this run; name one with the issue input.");
    await expect(run("linear.comment", { body: "hi", issue: "OPS-3" })).rejects.toThrow("linear.comment: OPS-3 is not an issue of the Linear team ENG that notify.linear names.");
    expect(() => action("linear.transition").input.parse({ to: "Done", issue: "eng-1" })).toThrow(/Linear issue identifier/);
    expect(linear.requests).toEqual([]);
  });
});
