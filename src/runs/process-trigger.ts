import { createHash } from "node:crypto";
import type { Logger } from "pino";
import { type RepoConfig, type RepoConfigResult, formatConfigProblems } from "../config/repo-config.js";
import { loadRepoConfig } from "../workflows/repo-config.js";
import type { GitHubClientFactory } from "../github/client.js";
import { configReadScope, tokenScope } from "../github/token-scope.js";
import { type MirrorEnvironment, runMirror } from "../mirrors/environment.js";
import { type Store, RunConflictError } from "../store/types.js";
import { type NewRun, type RunTask, type Run, activeRunStatuses } from "../core/run.js";
import type { CommandName } from "../core/trigger.js";
import { hasWriteAccess, isAllowedSender } from "../triggers/permissions.js";
import * as replies from "../triggers/replies.js";
import type { TriggerRequest } from "../core/trigger.js";
import { statusText, stopRequestedText } from "./status-text.js";
import { admitTrigger, triggerRateLimit } from "./trigger-rate.js";

export interface TriggerDeps {
  store: Store;
  github: GitHubClientFactory;
  /** Queues the job that executes a run. */
  startRun: (runId: string) => Promise<void>;
  /** The app's bot login (`<slug>[bot]`), to never act on its own events. */
  botLogin: () => Promise<string | undefined>;
  runUrl: (runId: string) => string;
  log: Pick<Logger, "info" | "warn" | "debug">;
  /** Slack and Jira: a queued run is announced where the repository's `notify:` asks. */
  mirrors?: MirrorEnvironment;
  /** Runs one person may start in a repository per hour (TRIGGER_RATE_LIMIT_PER_HOUR); 0 or absent: no server limit. */
  triggerRateLimitPerHour?: number;
}

/** What an intake job decided; returned for logs and tests. */
export type TriggerOutcome =
  | { result: "ignored"; reason: string }
  | { result: "replied"; reason: string }
  | { result: "queued"; runId: string }
  | { result: "updated"; runId: string };

/**
 * The intake job: everything about a trigger that needs GitHub. Reads the repository's config (from
 * the default branch, or a pull request's base branch so a PR cannot rewrite its own rules), checks
 * the sender, reacts 👀, and queues a run — or explains, once, why not. Someone without write
 * access gets nothing but one polite reply per issue: no reaction, no config report, no other write.
 */
export async function processTrigger(request: TriggerRequest, deps: TriggerDeps): Promise<TriggerOutcome> {
  const { owner, repo, number } = request;
  const fullName = `${owner}/${repo}`;
  if (request.sender.login === (await deps.botLogin())) return { result: "ignored", reason: "our own event" };

  const octokit = await deps.github(request.installationId, tokenScope(repo, "intake"));
  const reply = async (body: string, reason: string): Promise<TriggerOutcome> => {
    await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body });
    return { result: "replied", reason };
  };

  // The pull request as GitHub has it now. Intake jobs run concurrently, so a burst of pushes is
  // not handled in order: every review trigger takes the head from here, never from its payload.
  let pull: Promise<{ head: string; base: string }> | undefined;
  const currentPull = () =>
    (pull ??= octokit.rest.pulls
      .get({ owner, repo, pull_number: number })
      .then(({ data }) => ({ head: data.head.sha, base: data.base.ref })));

  // The gate, asked once: nothing that writes happens for a sender who fails it but the one reply.
  let writer: Promise<boolean> | undefined;
  const canWrite = () => (writer ??= hasWriteAccess(octokit, owner, repo, request.sender.login));
  const refuse = async (): Promise<TriggerOutcome> => {
    // A push is not a request: an outside contributor's pull request is skipped without a reply.
    if (request.detail.type === "pull_request") return { result: "ignored", reason: "sender lacks write access" };
    // One reply per issue, whoever asks: many accounts asking cannot make the app post many.
    const first = await deps.store.claimNotice(`refusal:${fullName}#${number}`);
    if (!first) return { result: "ignored", reason: "no write access (already told)" };
    return reply(replies.refusalText(request.sender.login), "no write access");
  };

  const ref = request.isPullRequest ? (await currentPull()).base : request.defaultBranch;
  const otherRepository = (_owner: string, name: string) => deps.github(request.installationId, configReadScope(name));
  const loaded: RepoConfigResult = await loadRepoConfig(octokit, { owner, repo, ref }, undefined, { otherRepository });
  if (!loaded.ok) {
    // Without a config there is no bot allow-list: bots are ignored, as by default.
    if (request.sender.type === "Bot") return { result: "ignored", reason: "invalid config, bot sender" };
    if (!(await canWrite())) return refuse();
    // Once per issue and version of the problems, not once per comment.
    const text = formatConfigProblems(loaded.problems);
    const version = createHash("sha256").update(text).digest("hex").slice(0, 16);
    if (!(await deps.store.claimNotice(`config:${fullName}#${number}:${version}`))) return { result: "ignored", reason: "invalid config (already told)" };
    return reply(text, "invalid config");
  }
  const { triggers } = loaded.config;

  if (!isAllowedSender(request.sender, triggers.allow_bots)) return { result: "ignored", reason: "bot not allow-listed" };

  const detail = request.detail;
  // The implement label runs the implement workflow; a workflow label (ai:hotfix) runs its workflow.
  const labelWorkflow = detail.type === "label" && detail.label !== triggers.implement_label ? triggers.workflow_labels[detail.label] : undefined;
  if (detail.type === "label" && detail.label !== triggers.implement_label && !labelWorkflow) return { result: "ignored", reason: "other label" };
  if (detail.type === "label" && request.isPullRequest) return { result: "ignored", reason: "label on a pull request" };
  if (detail.type === "pull_request") {
    if (!triggers.review.events.includes(detail.action)) return { result: "ignored", reason: `review on ${detail.action} is off` };
    if (detail.draft && !triggers.review.drafts) return { result: "ignored", reason: "draft pull request" };
    if (triggers.review.ignore_authors.includes(detail.author)) return { result: "ignored", reason: "ignored author" };
  }

  if (!(await canWrite())) return refuse();

  // Past the gate, each person's runs here are counted per hour — claimed where a run would be
  // queued, so help, status or a busy reply cost nothing. One reply per person and hour.
  const rateLimit = triggerRateLimit(deps.triggerRateLimitPerHour, triggers.rate_limit_per_hour);
  const admit = async (): Promise<TriggerOutcome | undefined> => {
    if (rateLimit === undefined) return undefined;
    const admission = await admitTrigger(deps.store, fullName, request.sender.login, rateLimit, new Date());
    if (admission.allowed) return undefined;
    if (!(await deps.store.claimNotice(admission.noticeKey))) return { result: "ignored", reason: "rate limited (already told)" };
    return reply(admission.text, "rate limited");
  };

  // Feedback first: the person sees they were noticed while the run is queued.
  if (detail.type === "command") {
    await octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: detail.commentId, content: "eyes" });
  } else if (detail.type === "label") {
    await octokit.rest.reactions.createForIssue({ owner, repo, issue_number: number, content: "eyes" });
  }

  // A run queued here is announced to the repository's status mirrors.
  const announce = async (outcome: TriggerOutcome): Promise<TriggerOutcome> => {
    if (outcome.result === "queued" && deps.mirrors) await announceQueued(request, outcome.runId, loaded.config.notify, deps);
    return outcome;
  };
  if (detail.type === "label") return announce(await queueRun(request, "implement", "label", undefined, deps, reply, admit, labelWorkflow));
  if (detail.type === "pull_request") return announce(await queueReview(request, (await currentPull()).head, "pull_request", deps, admit));

  const { command } = detail;
  const enabled = triggers.commands;
  if (command.kind === "unknown") return reply(replies.unknownCommandText(command.name, enabled), "unknown command");
  const name: CommandName = command.name;
  if (!enabled.includes(name)) return reply(replies.disabledCommandText(name), "command off");

  switch (name) {
    case "help":
      return reply(replies.helpText(enabled, triggers.implement_label), "help");
    case "status":
      return reply(statusText(await activeRuns(deps.store, fullName, number), deps.runUrl), "status");
    case "stop":
      return reply(await requestStop(deps.store, fullName, number, request.sender.login, deps.runUrl), "stop");
    case "plan":
    case "implement":
      if (request.isPullRequest) return reply(replies.wrongPlaceText(name, true), "wrong place");
      return announce(await queueRun(request, name, "command", command.args || undefined, deps, reply, admit));
    case "review":
      if (!request.isPullRequest) return reply(replies.wrongPlaceText(name, false), "wrong place");
      return announce(await queueReview(request, (await currentPull()).head, "command", deps, admit));
    case "ask":
      if (!command.args) return reply(replies.emptyQuestionText(), "empty question");
      return announce(await queueRun(request, "ask", "command", command.args, deps, reply, admit));
  }
}

async function announceQueued(request: TriggerRequest, runId: string, notify: RepoConfig["notify"], deps: TriggerDeps): Promise<void> {
  const run = await deps.store.getRun(runId);
  if (!run) return;
  const mirror = runMirror(notify, deps.mirrors, () => ({
    id: run.id,
    repo: run.repo,
    number: run.number,
    kind: run.kind,
    task: run.task,
    actor: run.actor,
    ...(request.title ? { title: request.title } : {}),
    url: request.url ?? deps.runUrl(run.id),
    runUrl: deps.runUrl(run.id),
    costMicros: 0,
  }));
  mirror.emit({ type: "queued" });
}

/** The run a trigger asks for: its target, task, and who asked. */
function newRunFor(
  request: TriggerRequest,
  task: RunTask,
  trigger: NewRun["trigger"],
  extra: Pick<NewRun, "input" | "headSha" | "workflow">,
): NewRun {
  return {
    repo: `${request.owner}/${request.repo}`,
    installationId: request.installationId,
    number: request.number,
    kind: request.isPullRequest ? "pull_request" : "issue",
    task,
    trigger,
    actor: request.sender.login,
    deliveryId: request.deliveryId,
    ...(request.snapshot ? { snapshot: request.snapshot } : {}),
    ...extra,
  };
}

async function activeRuns(store: Store, repo: string, number: number): Promise<Run[]> {
  return store.listRuns({ repo, number, statuses: activeRunStatuses });
}

async function queueRun(
  request: TriggerRequest,
  task: RunTask,
  trigger: "label" | "command",
  input: string | undefined,
  deps: TriggerDeps,
  reply: (body: string, reason: string) => Promise<TriggerOutcome>,
  admit: () => Promise<TriggerOutcome | undefined>,
  workflow?: string,
): Promise<TriggerOutcome> {
  const repo = `${request.owner}/${request.repo}`;
  const busy = (await activeRuns(deps.store, repo, request.number)).find((run) => run.task === task);
  if (busy) return reply(replies.busyText(task, deps.runUrl(busy.id)), "already active");
  const limited = await admit();
  if (limited) return limited;
  try {
    const run = await deps.store.createRun(newRunFor(request, task, trigger, { ...(input ? { input } : {}), ...(workflow ? { workflow } : {}) }));
    await deps.startRun(run.id);
    deps.log.info({ run: run.id, repo, number: request.number, task }, "run queued");
    return { result: "queued", runId: run.id };
  } catch (error) {
    if (!(error instanceof RunConflictError)) throw error;
    // Another trigger won the race between our check and our insert.
    const winner = (await activeRuns(deps.store, repo, request.number)).find((run) => run.task === task);
    return reply(replies.busyText(task, winner ? deps.runUrl(winner.id) : "(just queued)"), "already active");
  }
}

/**
 * Reviews keep at most one running and one pending run per pull request: a newer push updates the
 * pending run to the newest head instead of queueing another, and a push event handled late — its
 * head already under review — queues nothing.
 */
async function queueReview(
  request: TriggerRequest,
  headSha: string,
  trigger: "pull_request" | "command",
  deps: TriggerDeps,
  admit: () => Promise<TriggerOutcome | undefined>,
): Promise<TriggerOutcome> {
  const repo = `${request.owner}/${request.repo}`;
  let admitted = false;
  for (let attempt = 0; attempt < 3; attempt++) {
    const pending = (await deps.store.listRuns({ repo, number: request.number, statuses: ["queued"] })).find(
      (run) => run.task === "review",
    );
    // Only while it is still queued: a run that has just started keeps the head it started with.
    if (pending && (await deps.store.updateRun(pending.id, { headSha }, { ifStatus: "queued" }))) {
      return { result: "updated", runId: pending.id };
    }
    if (trigger === "pull_request") {
      // Read after the update above, not with the pending run: that run may be the one just started.
      const running = (await deps.store.listRuns({ repo, number: request.number, statuses: ["running"] })).find(
        (run) => run.task === "review",
      );
      if (running?.headSha === headSha) return { result: "ignored", reason: "this head is already under review" };
    }
    if (!admitted) {
      const limited = await admit();
      if (limited) return limited;
      admitted = true;
    }
    try {
      const run = await deps.store.createRun(newRunFor(request, "review", trigger, { headSha }));
      await deps.startRun(run.id);
      return { result: "queued", runId: run.id };
    } catch (error) {
      if (!(error instanceof RunConflictError)) throw error;
    }
  }
  throw new Error(`could not queue a review for ${repo}#${request.number}: the pending run kept changing`);
}

async function requestStop(store: Store, repo: string, number: number, by: string, runUrl: (id: string) => string): Promise<string> {
  const runs = await activeRuns(store, repo, number);
  for (const run of runs) {
    // A run that has not started yet is stopped outright; a running one — or one that has just
    // started — stops at its next step.
    const stopped =
      run.status === "queued" &&
      (await store.updateRun(run.id, { status: "stopped", stopRequestedBy: by, finishedAt: new Date() }, { ifStatus: "queued" }));
    if (!stopped) await store.updateRun(run.id, { stopRequestedBy: by });
  }
  return stopRequestedText(runs, by, runUrl);
}
