import { type AgentEnvironment, runParts } from "../agent/environment.js";
import type { RunSubject } from "../agent/subject.js";
import { RunEventLog, type RunEventLogger, type RunEventStore } from "../agent/run-event-log.js";
import { githubSource } from "../agent/github-source.js";
import { formatConfigProblems } from "../config/repo-config.js";
import { loadRepoConfig } from "../workflow/repo-config.js";
import { BudgetExceeded } from "../agent/budget.js";
import { repositoryParts } from "../integrations/connect.js";
import { replayedContents } from "../config/recorded-contents.js";
import type { RepositoryParts, RunIntegration } from "../integrations/kinds/parts.js";
import type { RunEvent } from "../integrations/kinds/status.js";
import { type KeySource, type TaskTracker, keySources } from "../integrations/kinds/task-tracker.js";
import { type MirrorEnvironment, type RunMirror, runMirror } from "./mirror.js";
import { type RunContext, type TaskExecutor, type TaskRegistry } from "./tasks.js";
import type { ActionEvent } from "../core/action.js";
import { RunStopped, UserFacingError, publicMessage } from "../core/errors.js";
import { type ChangeRequest, type RunStep, runTasks } from "../core/run.js";
import type { ActionRegistry } from "../workflow/action-registry.js";
import { builtInActions } from "../workflow/actions/index.js";
import { effectiveWorkflows } from "../workflow/built-in.js";
import { runWorkflow } from "../workflow/engine.js";
import { configScope } from "../workflow/scope.js";
import type { TemplateScope } from "../workflow/template.js";

/**
 * A run's task through the repository's workflow of the same name: the configuration is the one the
 * run was accepted on (the files the intake read, kept on the run), the templates get the issue as
 * GitHub has it now with its text as the trigger saw it, and the pull request as it was accepted;
 * the engine records each step on the run.
 */
export interface WorkflowTaskOptions {
  actions?: ActionRegistry;
  /** The coding agent's server-wide parts; without them the ai.* steps fail saying so. */
  agent?: AgentEnvironment;
  /** The app's bot login, which commits the agent's work. */
  botLogin?: () => Promise<string | undefined>;
  /** The connected integrations (Slack, Jira, …), for the repositories whose settings name them. */
  mirrors?: MirrorEnvironment;
  runUrl?: (runId: string) => string;
  /** Where each run's tool calls and commands are kept (its event log); none are kept without it. */
  runEvents?: { store: RunEventStore; log?: RunEventLogger };
}

export function workflowTask(options: WorkflowTaskOptions = {}): TaskExecutor {
  const actions = options.actions ?? builtInActions(options.mirrors?.integrations.set);
  return async (context) => {
    const { run, octokit, versionControl } = context;
    const [owner = "", repo = ""] = run.repo.split("/");
    // What the run was accepted on (runs queued by an older version lack it: those read it now).
    const { basis } = run;
    // The branch work starts from is the repository's now: one renamed since is gone from the remote.
    const defaultBranch = await versionControl.defaultBranch();
    const pull = run.kind !== "pull_request" ? undefined : (basis?.change ?? (await versionControl.changeRequest(run.number)));
    const ref = pull?.base.ref ?? basis?.defaultBranch ?? defaultBranch;
    const integrations = options.mirrors?.integrations;
    const loaded = await loadRepoConfig(basis ? replayedContents(basis.config) : octokit, { owner, repo, ref }, actions, {
      ...(context.otherRepository && !basis ? { otherRepository: context.otherRepository } : {}),
      ...(integrations ? { integrations: integrations.set } : {}),
    });
    if (!loaded.ok) throw new UserFacingError(formatConfigProblems(loaded.problems));
    const workflows = effectiveWorkflows(loaded.config.workflows);
    const name = run.workflow ?? run.task;
    const workflow = workflows[name];
    if (!workflow) throw new UserFacingError(`There is no ${name} workflow.`);

    const scope = await templateScope(context, { owner, name: repo, defaultBranch }, pull);
    const issue = scope.issue as { title: string; body: string; url: string; author: string | null };
    const parts = integrations ? repositoryParts(integrations, loaded.config) : new Map<string, RepositoryParts>();
    let sources: Promise<KeySource[]> | undefined;
    const readSources = () =>
      (sources ??= keySources({ title: issue.title, body: issue.body, author: issue.author, ...(pull ? { headRef: pull.head.ref } : {}) }, (login) =>
        versionControl.canWrite(login),
      ));
    const taskKeys: Record<string, string> = {};
    for (const [id, part] of parts) {
      const key = part.tracker ? await taskKey(run.links, id, part.tracker, readSources) : undefined;
      if (key) taskKeys[id] = key;
    }
    const runIntegrations: Record<string, RunIntegration> = Object.fromEntries([...parts].map(([id, part]) => [id, { ...part, ...(taskKeys[id] ? { taskKey: taskKeys[id] } : {}) }]));
    const sinks = [...parts.values()].flatMap((part) => (part.sink ? [part.sink] : []));
    const mirror = runMirror(sinks, options.mirrors, () => ({
      id: run.id,
      repo: run.repo,
      number: run.number,
      kind: run.kind,
      task: run.task,
      actor: run.actor,
      title: issue.title,
      url: issue.url,
      runUrl: options.runUrl?.(run.id) ?? "",
      costMicros: run.costMicros,
      ...(Object.keys(taskKeys).length > 0 ? { taskKeys } : {}),
    }));
    mirror.emit({ type: "started" });
    const subject: RunSubject = {
      target: {
        runId: run.id,
        owner,
        repo,
        number: run.number,
        actor: run.actor,
        defaultBranch,
        input: run.input ?? "",
        ...(run.snapshot ? { snapshot: run.snapshot } : {}),
        // A review reads the head it was queued for, not the pull request's head now.
        ...(run.headSha ? { head: run.headSha } : {}),
        ...(pull ? { change: pull } : {}),
        ...(run.task === "follow_up" ? await followedUntil(context) : {}),
      },
      config: loaded.config,
      source: githubSource(octokit, { owner, repo, number: run.number, actor: run.actor, triggeredAt: run.createdAt, snapshot: run.snapshot }, options.botLogin, versionControl),
    };
    const agent = options.agent ? runParts(options.agent, subject) : undefined;
    const events = options.runEvents ? new RunEventLog({ ...options.runEvents, runId: run.id }) : undefined;
    const result = await runWorkflow({
      signal: context.signal,
      name,
      workflow,
      workflows,
      actions,
      scope: { ...scope, config: configScope(loaded.config, integrations?.set) },
      target: { runId: run.id, owner, repo, number: run.number, actor: run.actor },
      services: {
        github: octokit,
        versionControl,
        ...(agent ? { subject, model: agent.model, runWorkspace: agent.workspace } : {}),
        ...(integrations ? { integrations: runIntegrations } : {}),
        ...(events ? { runEvents: events } : {}),
      },
      hooks: {
        previous: run.steps,
        record: (step) => {
          mirrorStep(mirror, step);
          // A step's events are written when it ends, not half a second later; the engine does not wait for it.
          if (step.status !== "running" && step.status !== "pending") void events?.flush();
          return context.recordStep(step);
        },
        emit: (event) => announce(event, mirror, context),
        checkpoint: () => context.checkpoint(),
        declare: (steps) => context.recordSteps(steps),
      },
    })
      .catch((error: unknown) => ({ status: "failed" as const, error, outputs: {} }))
      .finally(() => Promise.all([agent?.workspace.dispose(), events?.close()]));
    // The failure as it is: the run job logs it and shows people only what is meant for them.
    if (result.status === "failed") {
      mirror.emit(finalEvent(result.error));
      throw result.error;
    }
    const links = Object.fromEntries(Object.entries(result.outputs).filter((entry): entry is [string, string] => typeof entry[1] === "string" && /^https?:\/\//.test(entry[1])));
    const summary = typeof result.outputs.summary === "string" && result.outputs.summary ? result.outputs.summary : undefined;
    mirror.emit({ type: "succeeded", ...(summary ? { summary } : {}) });
    return { links, ...(summary ? { summary } : {}) };
  };
}

/** Step progress, for the mirrors. */
function mirrorStep(mirror: RunMirror, step: RunStep): void {
  if (!mirror.active || step.status === "skipped" || step.status === "pending") return;
  if (step.status === "running" && step.error) return; // a retry note, not progress
  mirror.emit({ type: "step", step: step.name ?? step.id, status: step.status });
}

/** What a step announced it made: a link on the run, and news for the mirrors. */
function announce(event: ActionEvent, mirror: RunMirror, context: RunContext): void {
  switch (event.name) {
    case "pull_request.opened":
      mirror.emit({ type: "pr_opened", url: event.payload.url });
      // Recorded at once, so the tracking comment links the pull request while later steps run.
      void context.recordLinks?.({ pull_request: event.payload.url }).catch(() => undefined);
      return;
    case "branch.pushed":
      void context.recordLinks?.({ branch: event.payload.branch }).catch(() => undefined);
      return;
    case "branch.deleted":
      // Gone again: the tracking comment no longer points at it.
      void context.recordLinks?.({ branch: "" }).catch(() => undefined);
      return;
    case "review.posted":
      mirror.emit({ type: "review_posted", url: event.payload.url, findings: event.payload.findings });
      return;
  }
}

function finalEvent(error: unknown): RunEvent {
  if (error instanceof RunStopped) return { type: "stopped", by: error.by };
  if (error instanceof BudgetExceeded) return { type: "budget_exceeded", message: error.message };
  return { type: "failed", message: publicMessage(error, { subject: "the run" }) };
}

/**
 * The task a run belongs to in a tracker, for its sink and its actions alike: the one a resumed run
 * already linked (kept as `<id>Key`), or the first key of the configured project in text by people
 * with write access. None without a project (then no one is asked for their permission either).
 */
async function taskKey(links: Record<string, string>, id: string, tracker: TaskTracker, sources: () => Promise<KeySource[]>): Promise<string | undefined> {
  if (tracker.project === undefined) return undefined;
  // A stored key counts only if it is one of the project's: an older version read keys loosely.
  const linked = links[`${id}Key`];
  if (linked && tracker.isKey(linked)) return linked;
  return tracker.findKey(await sources());
}

/** Every task runs its workflow. */
export function workflowTasks(options: WorkflowTaskOptions = {}): TaskRegistry {
  const task = workflowTask(options);
  return Object.fromEntries(runTasks.map((name) => [name, task]));
}

async function templateScope(context: RunContext, repository: { owner: string; name: string; defaultBranch: string }, pull: ChangeRequest | undefined): Promise<TemplateScope> {
  const { run, versionControl } = context;
  const issue = await versionControl.issue(run.number);
  // The text as the trigger saw it: a title edited after the label does not reach the PR or the commit.
  const asked = run.snapshot ?? { title: issue.title, body: issue.body, author: issue.author };
  return {
    repo: { owner: repository.owner, name: repository.name, full_name: `${repository.owner}/${repository.name}`, default_branch: repository.defaultBranch, url: versionControl.webUrl },
    issue: { number: issue.number, title: asked.title, body: asked.body, state: issue.state, author: asked.author, labels: issue.labels, url: issue.url },
    // The text as the trigger saw it, like the issue's.
    pull_request: pull ? { ...pull, title: run.snapshot?.title ?? pull.title, body: run.snapshot?.body ?? pull.body } : null,
    run: { id: run.id, task: run.task, trigger: run.trigger, actor: run.actor, input: run.input ?? "" },
  };
}

/**
 * Where the newest earlier follow-up that succeeded stopped reading the pull request's conversation
 * (its `until`): what a failed one read is read again, so no request is lost to a failure.
 */
async function followedUntil(context: RunContext): Promise<{ since?: string }> {
  const earlier = (await context.earlierRuns?.()) ?? [];
  for (const run of earlier) {
    if (run.task !== "follow_up" || run.status !== "succeeded") continue;
    for (const step of run.steps) {
      const until = step.outputs?.["until"];
      if (typeof until === "string" && !Number.isNaN(Date.parse(until))) return { since: until };
    }
  }
  return {};
}
