import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import type { ActionContext } from "../../src/core/action.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { shellRun, shellRunInput } from "../../src/workflow/actions/shell.js";
import { bubblewrap, reachableTempDir } from "./sandbox.js";

/**
 * A workspace the real sandbox has adopted, holding `files` (name → text), for commands a run's
 * steps run there. Call it in a `describe`: it is made in that describe's beforeAll and removed in
 * its afterAll.
 */
export function sandboxedWorkspace(prefix: string, files: Record<string, string>) {
  let workspace: string;
  let sandbox: Sandbox;

  beforeAll(async () => {
    workspace = await reachableTempDir(prefix);
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(workspace, name), text);
    sandbox = await bubblewrap();
    await sandbox.adopt(workspace);
  });
  afterAll(() => rm(workspace, { recursive: true, force: true }));

  /** What a step of a run in this workspace is given. */
  const context = (): ActionContext => ({
    target: { runId: "r", owner: "acme", repo: "widgets", number: 1, actor: "octocat" },
    services: { workspace, sandbox },
    signal: new AbortController().signal,
    emit: () => undefined,
  });
  return {
    get workspace(): string {
      return workspace;
    },
    get sandbox(): Sandbox {
      return sandbox;
    },
    context,
    /** Runs shell.run with `input`, as a step would. */
    shellRun: (input: unknown) => shellRun.run(shellRunInput.parse(input), context()),
  };
}
