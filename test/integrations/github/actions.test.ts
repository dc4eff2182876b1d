import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ActionContext, ActionEvent } from "../../../src/core/action.js";
import { githubComment, githubCreatePullRequest } from "../../../src/integrations/github/actions.js";
import { type FakeGitHub, fakeGitHub } from "../../helpers/fake-github.js";

describe("github.create_pull_request", () => {
  let github: FakeGitHub;
  let emitted: ActionEvent[];
  const context = (): ActionContext => ({
    target: { runId: "r", owner: "Codertocat", repo: "Hello-World", number: 1, actor: "Codertocat" },
    services: { github: new ProbotOctokit({ auth: { token: "ghs_test" }, throttle: { enabled: false }, retry: { enabled: false } }) },
    signal: new AbortController().signal,
    emit: (name, payload) => void emitted.push({ name, payload } as ActionEvent),
  });
  const open = () => githubCreatePullRequest.run(githubCreatePullRequest.input.parse({ title: "Fix", head: "ai/1-fix", body: "Closes #1" }), context());

  beforeEach(() => {
    github = fakeGitHub();
    emitted = [];
  });
  afterEach(() => github.done());

  it("opens one pull request per branch: a retried step finds the one it opened", async () => {
    const first = await open();
    const again = await open();
    expect(first).toEqual({ number: 100, url: "https://github.com/Codertocat/Hello-World/pull/100" });
    expect(again).toEqual(first);
    expect(github.createdPulls()).toHaveLength(1);
    expect(github.createdPulls()[0]!.body).toMatchObject({ base: "main", head: "ai/1-fix", draft: false });
  });

  it("announces the pull request it opened, and the one a retry found", async () => {
    await open();
    await open();
    const opened = { name: "pull_request.opened", payload: { number: 100, url: "https://github.com/Codertocat/Hello-World/pull/100" } };
    expect(emitted).toEqual([opened, opened]);
  });

  it("neutralises the model's text in the body, and keeps the closing reference to the run's issue", async () => {
    const body = "Closes #1\n\nAlso fixes #2, ask @stranger <!-- hidden --> (requested by @Codertocat)";
    await githubCreatePullRequest.run(githubCreatePullRequest.input.parse({ title: "Fix", head: "ai/1-fix", body }), context());
    expect((github.createdPulls()[0]!.body as { body: string }).body).toBe("Closes #1\n\nAlso `fixes #2`, ask `@stranger` &lt;!-- hidden --> (requested by @Codertocat)");
  });

  it("closes the pull request it opened when rolled back", async () => {
    const outputs = await open();
    await githubCreatePullRequest.compensate!({}, outputs, context());
    expect(github.requests.filter((r) => r.method === "PATCH")).toEqual([{ method: "PATCH", path: "/repos/Codertocat/Hello-World/pulls/100", body: { state: "closed" } }]);
  });
});

describe("github.comment", () => {
  let github: FakeGitHub;
  beforeEach(() => {
    github = fakeGitHub();
  });
  afterEach(() => github.done());

  it("posts a body neutralised like all model text: no closing keyword even for the run's issue", async () => {
    const context: ActionContext = {
      target: { runId: "r", owner: "Codertocat", repo: "Hello-World", number: 1, actor: "Codertocat" },
      services: { github: new ProbotOctokit({ auth: { token: "ghs_test" }, throttle: { enabled: false }, retry: { enabled: false } }) },
      signal: new AbortController().signal,
      emit: () => undefined,
    };
    await githubComment.run(githubComment.input.parse({ body: "Summary: closes #1. @team/x <b>hi</b> `@code`" }), context);
    expect(github.comments().map((c) => c.body)).toEqual(["Summary: `closes #1`. `@team/x` &lt;b>hi&lt;/b> `@code`"]);
  });
});
