import { PathPolicy } from "../workspace/paths.js";
import type { Workspace } from "../workspace/workspace.js";
import { repositoryInstructions, repositoryMap } from "./context.js";
import type { ModelAccess } from "./model-access.js";
import { renderPrompt } from "./prompts.js";
import { type ToolSetOptions, ToolSet } from "./tools/index.js";
import { COMMAND_NAMES } from "./tools/run-command.js";
import { type LoopResult, runLoop } from "./loop.js";
import type { RunWorkspace } from "./run-workspace.js";
import type { RunSubject } from "./subject.js";
import type { RunEventSink } from "./run-event-log.js";

/**
 * The coding agent in a workspace: its tools, the two prompts every coding task starts with (the
 * system prompt, the repository's context) and the tool loop on the task, within the run's budget.
 * What `ai.implement`, the self-review's fix, a follow-up on a pull request and a fix of its checks
 * share. The path policy, the sandbox and its network follow the repository's configuration the
 * same way for each.
 */

/** What the coding agent works with: the run's subject, the model, and the run's workspace. */
export interface CodingRun extends RunSubject {
  model: ModelAccess;
  workspace: RunWorkspace;
  /** Where the agent's tool calls are recorded: the run's event log, for the step it works in. */
  events?: RunEventSink;
}

export interface CodingTools {
  tools: ToolSet;
  policy: PathPolicy;
  system: string;
  context: string;
}

export interface CodingToolsOptions {
  /** Globs the agent may edit; any path not protected when absent. */
  allowedPaths?: string[] | undefined;
  finishTool?: ToolSetOptions["finishTool"];
  signal?: AbortSignal | undefined;
}

export interface CodingTask extends CodingToolsOptions {
  /** The task as the model reads it. */
  task: string;
  maxTurns: number;
}

/** The coding agent on `task` until it finishes or runs out of turns; the path policy it worked under, for what may be committed. */
export async function runCodingAgent(session: CodingRun, workspace: Workspace, task: CodingTask): Promise<{ result: LoopResult; policy: PathPolicy }> {
  const { config } = session;
  const { tools, policy, system, context } = await codingTools(session, workspace, task);
  const result = await runLoop({
    provider: session.model.provider,
    model: config.models.implement,
    maxTokens: config.models.max_tokens,
    maxTurns: task.maxTurns,
    system,
    context,
    task: task.task,
    tools,
    budget: await session.model.budget(),
    ...(task.signal ? { signal: task.signal } : {}),
  });
  return { result, policy };
}

async function codingTools(session: CodingRun, workspace: Workspace, options: CodingToolsOptions = {}): Promise<CodingTools> {
  const { config, target } = session;
  const { sandbox, commandTimeoutMs, commands: record } = session.workspace;
  const canRun = sandbox.kind !== "none";
  const commands = Object.fromEntries(COMMAND_NAMES.flatMap((name) => (config.agent.commands[name] ? [[name, config.agent.commands[name]]] : [])));
  const policy = new PathPolicy(workspace.dir, {
    protectedPaths: config.agent.protected_paths,
    allowProtected: config.agent.allow_protected,
    ...(options.allowedPaths ? { allowed: options.allowedPaths } : {}),
    ...(sandbox.owner ? { owner: sandbox.owner } : {}),
  });
  const network = config.agent.sandbox.network && sandbox.describe().network === "allow";
  const withSignal = options.signal ? { signal: options.signal } : {};
  const tools = new ToolSet({
    policy,
    ...(canRun ? { commands: { commands, sandbox, workspace: workspace.dir, network, timeoutMs: commandTimeoutMs, record, ...withSignal } } : {}),
    ...(canRun && config.agent.shell ? { bash: { shell: session.workspace.shell(network), timeoutMs: commandTimeoutMs, record, ...withSignal } } : {}),
    ...(options.finishTool ? { finishTool: options.finishTool } : {}),
    ...(session.events ? { events: session.events } : {}),
  });
  const repo = `${target.owner}/${target.repo}`;
  const [system, context] = await Promise.all([
    renderPrompt("system-implement", {
      repo,
      commands: canRun ? Object.keys(commands) : [],
      shell: canRun && config.agent.shell,
      network,
      no_sandbox: canRun ? null : sandbox.describe().status,
      protected: policy.protectedGlobs,
      allowed: options.allowedPaths ?? null,
    }),
    renderPrompt("repository", { repo, default_branch: target.defaultBranch, instructions: await repositoryInstructions(policy), map: await repositoryMap(policy) }),
  ]);
  return { tools, policy, system, context };
}
