import { type AgentEnvironment, AgentSession } from "../agent/session.js";
import { githubSource } from "../agent/github-source.js";
import { formatConfigProblems, loadRepoConfig } from "../config/repo-config.js";
import { type RunContext, type TaskExecutor, type TaskRegistry, UserFacingError } from "../runs/tasks.js";
import { runTasks } from "../store/types.js";
import type { ActionRegistry } from "./actions.js";
import { builtInActions } from "./actions/index.js";
import { effectiveWorkflows } from "./built-in.js";
import { runWorkflow } from "./engine.js";
import { configScope } from "./scope.js";
import type { TemplateScope } from "./template.js";

/**
 * A run's task through the repository's workflow of the same name: the configuration is read again
 * when the run starts (from the default branch, or a pull request's base branch), the templates get
 * the issue or pull request as GitHub has it now, and the engine records each step on the run.
 */
export interface WorkflowTaskOptions {
  actions?: ActionRegistry;
  /** The coding agent's server-wide parts; without them the ai.* steps fail saying so. */
  agent?: AgentEnvironment;
  /** The app's bot login, which commits the agent's work. */
  botLogin?: () => Promise<string | undefined>;
}

export function workflowTask(options: WorkflowTaskOptions = {}): TaskExecutor {
  const actions = options.actions ?? builtInActions();
  return async (context) => {
    const { run, octokit } = context;
    const [owner = "", repo = ""] = run.repo.split("/");
    const { data: repository } = await octokit.rest.repos.get({ owner, repo });
    const pull = run.kind === "pull_request" ? (await octokit.rest.pulls.get({ owner, repo, pull_number: run.number })).data : undefined;
    const ref = pull?.base.ref ?? repository.default_branch;
    const loaded = await loadRepoConfig(octokit, { owner, repo, ref }, actions);
    if (!loaded.ok) throw new UserFacingError(formatConfigProblems(loaded.problems));
    const workflows = effectiveWorkflows(loaded.config.workflows);
    const name = run.workflow ?? run.task;
    const workflow = workflows[name];
    if (!workflow) throw new UserFacingError(`There is no ${name} workflow.`);

    const scope = await templateScope(context, repository, pull);
    const agent = options.agent
      ? new AgentSession(
          options.agent,
          { runId: run.id, owner, repo, number: run.number, actor: run.actor, defaultBranch: repository.default_branch, input: run.input ?? "" },
          loaded.config,
          githubSource(octokit, { owner, repo, number: run.number, actor: run.actor, triggeredAt: run.createdAt }, options.botLogin),
        )
      : undefined;
    const result = await runWorkflow({
      name,
      workflow,
      workflows,
      actions,
      scope: { ...scope, config: configScope(loaded.config) },
      target: { runId: run.id, owner, repo, number: run.number, actor: run.actor },
      services: { github: octokit, ...(agent ? { agent } : {}) },
      hooks: { previous: run.steps, record: (step) => context.recordStep(step), checkpoint: () => context.checkpoint() },
    }).finally(() => agent?.dispose());
    // The failure as it is: the run job logs it and shows people only what is meant for them.
    if (result.status === "failed") throw result.error;
    const links = Object.fromEntries(Object.entries(result.outputs).filter((entry): entry is [string, string] => typeof entry[1] === "string" && /^https?:\/\//.test(entry[1])));
    const summary = typeof result.outputs.summary === "string" && result.outputs.summary ? result.outputs.summary : undefined;
    return { links, ...(summary ? { summary } : {}) };
  };
}

/** Every task runs its workflow. */
export function workflowTasks(options: WorkflowTaskOptions = {}): TaskRegistry {
  const task = workflowTask(options);
  return Object.fromEntries(runTasks.map((name) => [name, task]));
}

interface RepositoryData {
  name: string;
  full_name: string;
  default_branch: string;
  html_url: string;
  owner: { login: string };
}

interface PullData {
  number: number;
  title: string;
  body: string | null;
  state: string;
  draft?: boolean;
  html_url: string;
  user: { login: string } | null;
  head: { ref: string; sha: string };
  base: { ref: string };
}

async function templateScope(context: RunContext, repository: RepositoryData, pull: PullData | undefined): Promise<TemplateScope> {
  const { run, octokit } = context;
  const { data: issue } = await octokit.rest.issues.get({ owner: repository.owner.login, repo: repository.name, issue_number: run.number });
  return {
    repo: { owner: repository.owner.login, name: repository.name, full_name: repository.full_name, default_branch: repository.default_branch, url: repository.html_url },
    issue: {
      number: issue.number,
      title: issue.title,
      body: issue.body ?? "",
      state: issue.state,
      author: issue.user?.login ?? null,
      labels: issue.labels.map((label) => (typeof label === "string" ? label : (label.name ?? ""))),
      url: issue.html_url,
    },
    pull_request: pull
      ? {
          number: pull.number,
          title: pull.title,
          body: pull.body ?? "",
          state: pull.state,
          draft: pull.draft ?? false,
          author: pull.user?.login ?? null,
          head: { ref: pull.head.ref, sha: pull.head.sha },
          base: { ref: pull.base.ref },
          url: pull.html_url,
        }
      : null,
    run: { id: run.id, task: run.task, trigger: run.trigger, actor: run.actor, input: run.input ?? "" },
  };
}
