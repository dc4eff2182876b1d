import { rm } from "node:fs/promises";
import { ProbotOctokit } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRun } from "../../src/runs/execute-run.js";
import type { TaskRegistry } from "../../src/runs/tasks.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import type { Database } from "../../src/store/open.js";
import { builtInActions } from "../../src/workflow/actions/index.js";
import { effectiveWorkflows } from "../../src/workflow/built-in.js";
import { runWorkflow } from "../../src/workflow/engine.js";
import { type TestDatabase, freshPostgres } from "../helpers/databases.js";
import { bubblewrap, reachableTempDir } from "../helpers/sandbox.js";
import { baseScope, lines, loadConfig } from "./helpers.js";

/**
 * A step's output may hold any bytes at any size: NUL (which PostgreSQL refuses), invalid UTF-8
 * and megabytes. Here real commands in the real sandbox print them, the engine records the steps
 * on a real PostgreSQL store through the run job, and the run succeeds with what it stored safe.
 */

// 5 MB, then a NUL, bytes that are not UTF-8, and a lone-surrogate-shaped sequence (CESU), then END.
const PRINT = "process.stdout.write(Buffer.concat([Buffer.from('x'.repeat(5 * 1024 * 1024)), Buffer.from('before\\0after '), Buffer.from([0xff, 0xfe, 0xc3, 0xed, 0xa0, 0x80]), Buffer.from(' END')]))";
const FAIL = "process.stderr.write('broken\\0output\\n'); process.exit(2)";

const CONFIG = lines(
  "version: 1",
  "workflows:",
  "  ask:",
  "    steps:",
  `      - { id: print, uses: shell.run, with: { run: [node, -e, ${JSON.stringify(PRINT)}] } }`,
  `      - { id: fail, uses: shell.run, on_error: continue, with: { run: [node, -e, ${JSON.stringify(FAIL)}] } }`,
);

describe("a step whose output holds any bytes", () => {
  let database: TestDatabase;
  let opened: Database;
  let workspace: string;
  let sandbox: Sandbox;

  beforeAll(async () => {
    database = await freshPostgres();
    opened = await database.open();
    workspace = await reachableTempDir("ai-agent-bytes-");
    sandbox = await bubblewrap();
    await sandbox.adopt(workspace);
  });
  afterAll(async () => {
    await opened?.close();
    await database?.dispose();
    await rm(workspace, { recursive: true, force: true });
  });

  it("ends the run succeeded, with the output stored bounded, NUL escaped and the encoding repaired", async () => {
    const actions = builtInActions();
    const workflows = effectiveWorkflows(loadConfig(CONFIG, actions).workflows);
    const tasks: TaskRegistry = {
      ask: async (context) => {
        const result = await runWorkflow({
          name: "ask",
          workflow: workflows.ask!,
          workflows,
          actions,
          scope: baseScope,
          target: { runId: context.run.id, owner: "acme", repo: "widgets", number: 1, actor: "octocat" },
          services: { sandbox, workspace },
          hooks: { previous: context.run.steps, record: (step) => context.recordStep(step), checkpoint: () => context.checkpoint() },
        });
        if (result.status === "failed") throw result.error;
        return {};
      },
    };
    const store = opened.store;
    const octokit = new ProbotOctokit({ auth: { token: "ghs_test" }, throttle: { enabled: false }, retry: { enabled: false } });
    const errors: unknown[] = [];
    const run = await store.createRun({ repo: "acme/widgets", installationId: 1, number: 1, kind: "issue", task: "ask", trigger: "command", actor: "octocat" });
    await executeRun(run.id, {
      store,
      github: () => Promise.resolve(octokit),
      tasks,
      runUrl: (id) => `http://localhost/runs/${id}`,
      log: { info: () => undefined, warn: () => undefined, error: (entry: unknown) => errors.push(entry) },
    });

    const finished = await store.getRun(run.id);
    expect(errors).toEqual([]);
    expect([finished?.status, finished?.error]).toEqual(["succeeded", undefined]);
    const [print, fail] = finished!.steps;
    const stdout = String(print?.outputs?.stdout);
    // shell.run keeps the last 64 KiB, with its note of what it dropped; the store keeps that whole.
    expect(stdout.length).toBeLessThanOrEqual(64 * 1024 + 100);
    expect(stdout).toMatch(/^…\(\d+ bytes cut\)\nx+before\\u0000after \uFFFD+ END$/);
    expect(stdout).not.toContain("\0");
    expect(stdout).not.toMatch(/[\uD800-\uDFFF]/); // no surrogates at all: the output had no emoji
    expect(fail).toMatchObject({ status: "failed", error: expect.stringContaining("broken\\u0000output") as string });
  });
});
