import path from "node:path";
import { AnthropicClient } from "../../src/integrations/anthropic/client.js";
import { workflowTasks } from "../../src/runs/workflow-task.js";
import type { TaskRegistry } from "../../src/runs/tasks.js";
import { NoSandbox } from "../../src/sandbox/index.js";
import type { Store } from "../../src/store/types.js";
import { WorkspaceManager } from "../../src/workspace/workspace.js";

/**
 * The app's tasks as a review needs them: the model at the fake Messages API, the repository at
 * `remote` (its clone cache under it), and no sandbox at all — reviews run no command, so they
 * work on a server without one.
 */
export function reviewTasks(store: Store, options: { anthropicUrl: string; remote: string }): TaskRegistry {
  return workflowTasks({
    agent: {
      model: new AnthropicClient({ apiKey: "sk-ant-review", baseURL: options.anthropicUrl, maxRetries: 0 }),
      workspaces: new WorkspaceManager({ cacheDir: path.join(options.remote, ".cache") }),
      store,
      remoteUrl: () => options.remote,
      sandbox: new NoSandbox("bubblewrap (bwrap) or prlimit is not installed (test)", "deny"),
      commandTimeoutMs: 10_000,
    },
    botLogin: () => Promise.resolve("ai-agent[bot]"),
  });
}
