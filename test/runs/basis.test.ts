import { describe, expect, it } from "vitest";
import type { RunBasis } from "../../src/core/run.js";
import { executeRun } from "../../src/runs/execute-run.js";
import { postgresRuns } from "../helpers/postgres-runs.js";
import { lines, testActions } from "../workflow/helpers.js";

/**
 * A run follows what it was accepted on: the configuration's files the intake read, and a pull
 * request's head and base. A file changed while the run waited in the queue does not change it,
 * and the run asks GitHub for neither again.
 */

const configSaying = (value: string) =>
  lines(
    "version: 1",
    "workflows:",
    "  implement:",
    "    steps:",
    `      - { id: say, uses: test.echo, with: { value: ${value} } }`,
    '      - { id: head, uses: test.echo, with: { value: "{{ pull_request.head.sha }}" } }',
  );

const ACCEPTED_HEAD = "6dcb09b5b57875f334f61aebed695e2e4193db5e";

function basisOf(text: string, change?: RunBasis["change"]): RunBasis {
  return {
    defaultBranch: "main",
    config: [{ owner: "Codertocat", repo: "Hello-World", path: ".github/ai-agent.yml", ref: "main", file: { sha: "3d21ec53a331a6f037a91c368710b99387d012c1", text } }],
    ...(change ? { change } : {}),
  };
}

describe("what a run was accepted on", () => {
  // GitHub has the file as it is now; the runs were accepted on an earlier version of it.
  const runs = postgresRuns(configSaying("now"), (github) => github.pulls.set(7, { head: "0000000000000000000000000000000000000007", base: "main" }));
  const { actions } = testActions();
  const stepOutputs = async (id: string) => Object.fromEntries((await runs.store.getRun(id))!.steps.map((step) => [step.id, step.outputs?.value]));

  it("runs the workflow of the configuration it was accepted on, not the file as it is now", async () => {
    const run = await runs.store.createRun({
      repo: "Codertocat/Hello-World",
      installationId: 1,
      number: 1,
      kind: "issue",
      task: "implement",
      trigger: "label",
      actor: "Codertocat",
      basis: basisOf(configSaying("accepted")),
    });
    expect(await executeRun(run.id, runs.deps(actions))).toBe("finished");
    expect((await stepOutputs(run.id)).say).toBe("accepted");
  });

  it("reads the file as it is now for a run queued without one (by an older version)", async () => {
    const run = await runs.store.createRun({ repo: "Codertocat/Hello-World", installationId: 1, number: 2, kind: "issue", task: "implement", trigger: "label", actor: "Codertocat" });
    expect(await executeRun(run.id, runs.deps(actions))).toBe("finished");
    expect((await stepOutputs(run.id)).say).toBe("now");
  });

  it("gives the steps the pull request's head it was accepted on, and reads the pull request no more", async () => {
    const change = {
      number: 7,
      title: "Update the README",
      body: "",
      state: "open",
      draft: false,
      author: "Codertocat",
      head: { ref: "changes", sha: ACCEPTED_HEAD },
      base: { ref: "main" },
      url: "https://github.com/Codertocat/Hello-World/pull/7",
    };
    runs.github.requests.length = 0;
    const run = await runs.store.createRun({
      repo: "Codertocat/Hello-World",
      installationId: 1,
      number: 7,
      kind: "pull_request",
      task: "implement",
      trigger: "command",
      actor: "Codertocat",
      basis: basisOf(configSaying("accepted"), change),
    });
    expect(await executeRun(run.id, runs.deps(actions))).toBe("finished");
    expect(await stepOutputs(run.id)).toMatchObject({ say: "accepted", head: ACCEPTED_HEAD });
    expect(runs.github.requests.filter((r) => r.method === "GET" && /\/pulls\/7$/.test(r.path))).toEqual([]);
  });
});
