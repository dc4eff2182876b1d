import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRun } from "../../src/runs/execute-run.js";
import type { Database } from "../../src/store/open.js";
import type { Store } from "../../src/store/types.js";
import type { Run } from "../../src/core/run.js";
import { type TestDatabase, freshPostgres } from "../helpers/databases.js";

describe("a queued run stopped while a worker starts it", () => {
  let scratch: TestDatabase;
  let database: Database;

  beforeAll(async () => {
    scratch = await freshPostgres();
    database = await scratch.open();
  });
  afterAll(async () => {
    await database.close();
    await scratch.dispose();
  });

  it("stays stopped: the worker that read it as queued does not run it", async () => {
    const store = database.store;
    const run = await store.createRun({
      repo: "octo-org/hello-world",
      installationId: 1,
      number: 7,
      kind: "issue",
      task: "plan",
      trigger: "command",
      actor: "octocat",
    });
    // The worker read the run while it was queued; `/ai stop` lands before its next write.
    let reads = 0;
    const worker: Store = Object.assign(Object.create(store) as Store, {
      getRun: async (id: string): Promise<Run | null> => (reads++ === 0 ? run : store.getRun(id)),
    });
    await store.updateRun(run.id, { status: "stopped", stopRequestedBy: "octocat", finishedAt: new Date() });

    let ran = false;
    const result = await executeRun(run.id, {
      store: worker,
      github: () => Promise.reject(new Error("a stopped run must not reach GitHub")),
      tasks: {
        plan: async () => {
          ran = true;
          return {};
        },
      },
      runUrl: (id) => `http://localhost/runs/${id}`,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    expect(result).toBe("skipped");
    expect(ran).toBe(false);
    expect(await store.getRun(run.id)).toMatchObject({ status: "stopped", stopRequestedBy: "octocat" });
  });
});
