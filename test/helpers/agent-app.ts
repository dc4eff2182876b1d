import { execFileSync } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { AnthropicClient } from "../../src/integrations/anthropic/client.js";
import type { AgentEnvironment } from "../../src/agent/environment.js";
import { WorkspaceManager } from "../../src/workspace/workspace.js";
import { connectIntegrations } from "../../src/integrations/connect.js";
import { builtInIntegrations } from "../../src/integrations/registry.js";
import { workflowTasks } from "../../src/runs/workflow-task.js";
import type { Run } from "../../src/core/run.js";
import type { TaskRegistry } from "../../src/runs/tasks.js";
import { type TestApp, eventually, startTestApp } from "./app-server.js";
import type { FakeGitHub } from "./fake-github.js";
import { type FakeAnthropic, startFakeAnthropic } from "./fake-anthropic.js";
import { git } from "./git.js";
import { bubblewrap, reachableTempDir } from "./sandbox.js";

/**
 * The whole app with the coding agent, as the end-to-end suites run it: a seed repository with the
 * given files, a bare clone of it as the remote, the local fake Messages API, the real sandbox.
 */
export interface AgentTestApp {
  app: TestApp;
  anthropic: FakeAnthropic;
  /** The bare repository the agent clones from and pushes to. */
  remote: string;
  work: string;
  /** The tasks the app's run job executes, to execute a run again as a new worker would. */
  tasks: () => TaskRegistry;
  close(): Promise<void>;
}

export async function startAgentTestApp(options: {
  prefix: string;
  files: Record<string, string>;
  maxRetries?: number;
  environment?: Partial<AgentEnvironment>;
  /** The server's integration variables (JIRA_*, SLACK_*), connected as the server connects them. */
  integrations?: Record<string, string>;
  /** GitHub's write throttle and the queue's poll as in production (startTestApp's `production`). */
  production?: boolean;
}): Promise<AgentTestApp> {
  const work = await reachableTempDir(options.prefix);
  const seed = path.join(work, "seed");
  const remote = path.join(work, "remote.git");
  execFileSync("git", ["init", "-q", "-b", "main", seed]);
  for (const [name, content] of Object.entries(options.files)) await writeFile(path.join(seed, name), content);
  git(seed, "add", ".");
  git(seed, "-c", "user.name=Seed", "-c", "user.email=seed@example.com", "commit", "-q", "-m", "init");
  execFileSync("git", ["clone", "-q", "--bare", seed, remote]);
  const anthropic = await startFakeAnthropic();
  const sandbox = await bubblewrap();
  let tasks: TaskRegistry | undefined;
  const app = await startTestApp((store) =>
    (tasks = workflowTasks({
      agent: {
        model: new AnthropicClient({ apiKey: "sk-ant-e2e-key", baseURL: anthropic.url, maxRetries: options.maxRetries ?? 0 }),
        workspaces: new WorkspaceManager({ cacheDir: path.join(work, "cache") }),
        store,
        remoteUrl: () => remote,
        sandbox,
        commandTimeoutMs: 30_000,
        ...options.environment,
      },
      botLogin: () => Promise.resolve("ai-agent[bot]"),
      runEvents: { store },
      ...(options.integrations ? { mirrors: { integrations: connectIntegrations(builtInIntegrations, options.integrations), store, log: { warn: () => undefined } } } : {}),
    })),
    options.production ? { production: true } : {},
  );
  return {
    app,
    anthropic,
    remote,
    work,
    tasks: () => {
      if (!tasks) throw new Error("the app has not made its tasks yet");
      return tasks;
    },
    async close() {
      await app.close();
      await anthropic.close();
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** The run on `repo#number` once it has succeeded or failed. */
export function finishedRun(app: TestApp, repo: string, number: number): Promise<Run> {
  return eventually(async () => (await app.database.store.listRuns({ repo, number })).find((r) => r.status === "succeeded" || r.status === "failed"), 30_000);
}

/** The final text of the run's own tracking comment (its marker names the run), once it has one. */
export async function finalTrackingComment(app: TestApp, github: FakeGitHub, repo: string, number: number): Promise<string> {
  const run = await finishedRun(app, repo, number);
  const marker = `<!-- ai-agent:run:${run.id} -->`;
  return eventually(async () => github.comments().map((c) => c.body).filter((b) => b.startsWith(marker) && /\*\*(Done|Failed)\*\*/.test(b)).at(-1));
}
