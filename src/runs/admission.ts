import { connectionId } from "../integrations/kinds/version-control.js";
import type { Logger } from "pino";
import { type ChangeRequest, type NewRun, type Run, type RunBasis, type RunTask, activeRunStatuses } from "../core/run.js";
import type { TriggerRequest } from "../core/trigger.js";
import { type Store, RunConflictError } from "../store/types.js";
import * as replies from "../triggers/replies.js";
import { admitTrigger, triggerRateLimit } from "./trigger-rate.js";

/**
 * Whether a trigger the router said to queue becomes a run: one active run per task and target
 * (a second gets a busy reply; reviews fold into the pending one), the per-person rate limit, and
 * the insert that a unique index makes safe against another worker racing this one.
 */

/** What admitting a trigger came to; `reply` is posted by the caller. */
export type Admission =
  | { result: "queued"; runId: string }
  | { result: "updated"; runId: string }
  | { result: "ignored"; reason: string }
  | { result: "reply"; reason: string; text: string; noticeKey?: string };

export interface AdmissionDeps {
  store: Store;
  /** Queues the job that executes a run. */
  startRun: (runId: string) => Promise<void>;
  runUrl: (runId: string) => string;
  log: Pick<Logger, "info">;
}

/**
 * The rate limit as a claim made where a run would be queued, so help, status or a busy reply cost
 * nothing: undefined when the person may go on, else the reply (posted once per person and hour).
 */
export type RateGate = () => Promise<Admission | undefined>;

export function rateGate(store: Store, request: TriggerRequest, serverPerHour: number | undefined, repoPerHour: number | undefined): RateGate {
  const limit = triggerRateLimit(serverPerHour, repoPerHour);
  return async () => {
    if (limit === undefined) return undefined;
    const admission = await admitTrigger(store, `${request.owner}/${request.repo}`, request.sender.login, limit, new Date());
    if (admission.allowed) return undefined;
    return { result: "reply", reason: "rate limited", text: admission.text, noticeKey: admission.noticeKey };
  };
}

/** The run a trigger asks for: its target, task, and who asked. */
function newRunFor(request: TriggerRequest, task: RunTask, trigger: NewRun["trigger"], extra: Pick<NewRun, "input" | "headSha" | "workflow" | "basis">): NewRun {
  return {
    repo: `${request.owner}/${request.repo}`,
    installationId: request.installationId,
    connection: connectionId("github", request.installationId),
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

export async function activeRuns(store: Store, repo: string, number: number): Promise<Run[]> {
  return store.listRuns({ repo, number, statuses: activeRunStatuses });
}

export async function admitRun(
  request: TriggerRequest,
  asked: { task: RunTask; trigger: "label" | "command" | "check"; input?: string | undefined; workflow?: string | undefined; basis?: RunBasis },
  deps: AdmissionDeps,
  rate: RateGate,
): Promise<Admission> {
  const { task } = asked;
  const repo = `${request.owner}/${request.repo}`;
  const busy = (await activeRuns(deps.store, repo, request.number)).find((run) => run.task === task);
  if (busy) return { result: "reply", reason: "already active", text: replies.busyText(task, deps.runUrl(busy.id)) };
  const limited = await rate();
  if (limited) return limited;
  try {
    const run = await deps.store.createRun(newRunFor(request, task, asked.trigger, {
        ...(asked.input ? { input: asked.input } : {}),
        ...(asked.workflow ? { workflow: asked.workflow } : {}),
        ...(asked.basis ? { basis: asked.basis } : {}),
      }));
    await deps.startRun(run.id);
    deps.log.info({ run: run.id, repo, number: request.number, task }, "run queued");
    return { result: "queued", runId: run.id };
  } catch (error) {
    if (!(error instanceof RunConflictError)) throw error;
    // Another trigger won the race between our check and our insert.
    const winner = (await activeRuns(deps.store, repo, request.number)).find((run) => run.task === task);
    return { result: "reply", reason: "already active", text: replies.busyText(task, winner ? deps.runUrl(winner.id) : "(just queued)") };
  }
}

/**
 * Reviews keep at most one running and one pending run per pull request: a newer push updates the
 * pending run to the newest head instead of queueing another, and a push event handled late — its
 * head already under review — queues nothing.
 */
export async function admitReview(
  request: TriggerRequest,
  /** What the review is accepted on; its change's head is the one reviewed. */
  basis: RunBasis & { change: ChangeRequest },
  trigger: "pull_request" | "command",
  deps: AdmissionDeps,
  rate: RateGate,
): Promise<Admission> {
  const repo = `${request.owner}/${request.repo}`;
  const headSha = basis.change.head.sha;
  let admitted = false;
  for (let attempt = 0; attempt < 3; attempt++) {
    const pending = (await deps.store.listRuns({ repo, number: request.number, statuses: ["queued"] })).find((run) => run.task === "review");
    // Only while it is still queued: a run that has just started keeps the head it started with.
    if (pending && (await deps.store.updateRun(pending.id, { headSha, basis }, { ifStatus: "queued" }))) {
      return { result: "updated", runId: pending.id };
    }
    if (trigger === "pull_request") {
      // Read after the update above, not with the pending run: that run may be the one just started.
      const running = (await deps.store.listRuns({ repo, number: request.number, statuses: ["running"] })).find((run) => run.task === "review");
      if (running?.headSha === headSha) return { result: "ignored", reason: "this head is already under review" };
    }
    if (!admitted) {
      const limited = await rate();
      if (limited) return limited;
      admitted = true;
    }
    try {
      const run = await deps.store.createRun(newRunFor(request, "review", trigger, { headSha, basis }));
      await deps.startRun(run.id);
      return { result: "queued", runId: run.id };
    } catch (error) {
      if (!(error instanceof RunConflictError)) throw error;
    }
  }
  throw new Error(`could not queue a review for ${repo}#${request.number}: the pending run kept changing`);
}

/**
 * Follow-ups keep at most one running and one pending run per pull request. What is asked while one
 * runs is gathered by the pending one when it starts — it reads the conversation since the last
 * follow-up read it — so a burst of comments makes one more run, not one per comment. A pending
 * fix of the checks gives way to a follow-up, which reads the failing checks too.
 */
export async function admitFollowUp(
  request: TriggerRequest,
  basis: RunBasis & { change: ChangeRequest },
  asked: { trigger: "command" | "review"; input?: string | undefined; workflow?: string | undefined },
  deps: AdmissionDeps,
  rate: RateGate,
): Promise<Admission> {
  const repo = `${request.owner}/${request.repo}`;
  const workflow = asked.workflow ?? "follow_up";
  let admitted = false;
  for (let attempt = 0; attempt < 3; attempt++) {
    const pending = (await deps.store.listRuns({ repo, number: request.number, statuses: ["queued"] })).find((run) => run.task === "follow_up");
    if (pending && (pending.workflow ?? "follow_up") === workflow) return { result: "updated", runId: pending.id };
    if (pending && pending.workflow !== "fix_ci") return { result: "reply", reason: "already active", text: replies.busyText("follow-up", deps.runUrl(pending.id)) };
    if (pending) await deps.store.updateRun(pending.id, { status: "cancelled", finishedAt: new Date() }, { ifStatus: "queued" });
    if (!admitted) {
      const limited = await rate();
      if (limited) return limited;
      admitted = true;
    }
    try {
      const run = await deps.store.createRun(
        newRunFor(request, "follow_up", asked.trigger, { workflow, basis, headSha: basis.change.head.sha, ...(asked.input ? { input: asked.input } : {}) }),
      );
      await deps.startRun(run.id);
      deps.log.info({ run: run.id, repo, number: request.number, task: "follow_up" }, "run queued");
      return { result: "queued", runId: run.id };
    } catch (error) {
      if (!(error instanceof RunConflictError)) throw error;
    }
  }
  throw new Error(`could not queue a follow-up for ${repo}#${request.number}: the pending run kept changing`);
}
