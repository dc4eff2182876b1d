import { ProbotOctokit } from "probot";
import { afterAll, beforeAll } from "vitest";
import type { ExecuteDeps } from "../../src/runs/execute-run.js";
import { workflowTasks } from "../../src/runs/workflow-task.js";
import type { Database } from "../../src/store/open.js";
import type { Store } from "../../src/store/types.js";
import type { ActionRegistry } from "../../src/workflow/action-registry.js";
import { type TestDatabase, freshPostgres } from "./databases.js";
import { type FakeGitHub, fakeGitHub } from "./fake-github.js";

/**
 * Runs executed as the run job executes them, on a store in a fresh PostgreSQL database, against a
 * fake GitHub whose repository has `config` as its `.github/ai-agent.yml`. Call it in a `describe`:
 * it starts in that describe's beforeAll and is cleaned up in its afterAll.
 */
export function postgresRuns(config: string, prepare: (github: FakeGitHub) => void = () => undefined) {
  let database: TestDatabase;
  let opened: Database;
  let github: FakeGitHub;
  let octokit: ProbotOctokit;

  beforeAll(async () => {
    database = await freshPostgres();
    opened = await database.open();
    github = fakeGitHub();
    github.configFiles.set("main", config);
    prepare(github);
    octokit = new ProbotOctokit({ auth: { token: "ghs_test" }, throttle: { enabled: false }, retry: { enabled: false } });
  });
  afterAll(async () => {
    github.done();
    await opened.close();
    await database.dispose();
  });

  return {
    get store(): Store {
      return opened.store;
    },
    get github(): FakeGitHub {
      return github;
    },
    /** What executeRun needs to run the workflows with `actions`. */
    deps(actions: ActionRegistry, runUrl = (id: string) => `http://localhost/runs/${id}`): ExecuteDeps {
      return {
        store: opened.store,
        github: () => Promise.resolve(octokit),
        tasks: workflowTasks({ actions }),
        runUrl,
        log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      };
    },
  };
}

/** Polls until `check` gives a value, for state another promise is producing. */
export async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
