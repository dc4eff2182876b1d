import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChangeRequest, RunBasis } from "../../src/core/run.js";
import type { TriggerRequest } from "../../src/core/trigger.js";
import { type Admission, admitFollowUp } from "../../src/runs/admission.js";
import type { Database } from "../../src/store/open.js";
import { type TestDatabase, freshPostgres } from "../helpers/databases.js";

/**
 * One follow-up per pull request at a time, on a real store: what is asked while one is queued
 * folds into it, what is asked while one runs makes exactly one more, and a pending fix of the
 * checks gives way to a follow-up (which reads the checks too). Many intakes at once make no more.
 */

const change: ChangeRequest = {
  number: 9,
  title: "Greet",
  body: "",
  state: "open",
  draft: false,
  author: "ai-agent[bot]",
  head: { ref: "ai/3-greet", sha: "b".repeat(40), repo: "acme/widgets" },
  base: { ref: "main" },
  url: "https://github.com/acme/widgets/pull/9",
};
const basis: RunBasis & { change: ChangeRequest } = { defaultBranch: "main", config: [], change };

describe("admitting follow-ups", () => {
  let database: TestDatabase;
  let opened: Database;
  const started: string[] = [];
  let number = 0;

  beforeAll(async () => {
    database = await freshPostgres();
    opened = await database.open();
  });
  afterAll(async () => {
    await opened.close();
    await database.dispose();
  });

  const request = (n: number, login = "octocat"): TriggerRequest => ({
    deliveryId: `d-${n}-${Math.random()}`,
    installationId: 1,
    owner: "acme",
    repo: "widgets",
    defaultBranch: "main",
    number: n,
    isPullRequest: true,
    sender: { login, type: "User" },
    detail: { type: "command", commentId: 1, command: { kind: "unknown", name: "use", text: "use a Map" } },
  });
  const admit = (n: number, input = "use a Map"): Promise<Admission> =>
    admitFollowUp(request(n), basis, { trigger: "command", input }, { store: opened.store, startRun: async (id) => void started.push(id), runUrl: (id) => id, log: { info: () => undefined } }, async () => undefined);
  const runsOf = (n: number) => opened.store.listRuns({ repo: "acme/widgets", number: n });

  it("gathers what is asked while one is queued into it, and makes one more while one runs", async () => {
    number = 9;
    const first = await admit(number);
    expect(first.result).toBe("queued");
    const firstId = first.result === "queued" ? first.runId : "";
    expect(await admit(number, "and rename it")).toEqual({ result: "updated", runId: firstId });

    await opened.store.updateRun(firstId, { status: "running", startedAt: new Date() });
    const second = await admit(number, "also add a test");
    expect(second.result).toBe("queued");
    const secondId = second.result === "queued" ? second.runId : "";
    expect(secondId).not.toBe(firstId);
    expect(await admit(number, "and the docs")).toEqual({ result: "updated", runId: secondId });

    const runs = await runsOf(number);
    expect(runs.map((r) => [r.task, r.workflow, r.status]).sort()).toEqual([
      ["follow_up", "follow_up", "queued"],
      ["follow_up", "follow_up", "running"],
    ]);
    expect(started).toEqual([firstId, secondId]);
  });

  it("makes one pending run however many intakes ask at once", async () => {
    number = 10;
    const answers = await Promise.all(Array.from({ length: 8 }, () => admit(number)));
    const queued = answers.filter((a) => a.result === "queued");
    expect(queued).toHaveLength(1);
    expect(new Set(answers.map((a) => ("runId" in a ? a.runId : a.result)))).toEqual(new Set([queued[0]?.result === "queued" ? queued[0].runId : ""]));
    expect(await runsOf(number)).toHaveLength(1);
  });

  it("lets a follow-up take the place of a pending fix of the checks", async () => {
    number = 11;
    const fix = await opened.store.createRun({
      repo: "acme/widgets",
      installationId: 1,
      number,
      kind: "pull_request",
      task: "follow_up",
      workflow: "fix_ci",
      trigger: "check",
      actor: "ai-agent[bot]",
      deliveryId: "d-check",
    });
    const answer = await admit(number);
    expect(answer.result).toBe("queued");
    const runs = await runsOf(number);
    expect(runs.find((r) => r.id === fix.id)?.status).toBe("cancelled");
    expect(runs.filter((r) => r.status === "queued").map((r) => r.workflow)).toEqual(["follow_up"]);
  });
});
