import { createHash } from "node:crypto";

import type { Logger } from "pino";

import { type RepoConfig, type RepoConfigResult } from "../config/repo-config.js";
import { loadRepoConfig } from "../workflow/repo-config.js";

import type { GitHubClientFactory } from "../integrations/github/client.js";

import { configReadScope, tokenScope } from "../integrations/github/token-scope.js";

import { type MirrorEnvironment, runMirror, sinksFor } from "./mirror.js";

import { type Store } from "../store/types.js";
import type { TriggerRequest } from "../core/trigger.js";
import type { ChangeRequest, ConfigRead, RunBasis } from "../core/run.js";
import { recordingContents } from "../config/recorded-contents.js";
import { githubVersionControl } from "../integrations/github/version-control.js";
import type { GitHubUrls } from "../integrations/github/urls.js";

import * as replies from "../triggers/replies.js";
import { type TriggerFacts, addressedToOthers, isOwnEvent, routeTrigger } from "../triggers/route.js";

import { type Admission, activeRuns, admitFollowUp, admitReview, admitRun, rateGate } from "./admission.js";
import { admitFixCi, checkFacts, fixAttemptsSpent } from "./fix-ci-intake.js";

import { statusText, stopRequestedText } from "./status-text.js";
import { stopRun } from "./stop-run.js";


export interface TriggerDeps {
  store: Store;
  github: GitHubClientFactory;
  /** Queues the job that executes a run. */
  startRun: (runId: string) => Promise<void>;
  /** The app's bot login (`<slug>[bot]`), to never act on its own events. */
  botLogin: () => Promise<string | undefined>;
  runUrl: (runId: string) => string;
  log: Pick<Logger, "info" | "warn" | "debug">;
  /** The connected integrations: a queued run is announced to the sinks the repository's settings ask for. */
  mirrors?: MirrorEnvironment;
  /** Where GitHub is (GitHub Enterprise Server when GHE_HOST is set); github.com when absent. */
  urls?: GitHubUrls;
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
 * the default branch, or a pull request's base branch so a PR cannot rewrite its own rules), asks
 * the router (triggers/route.ts) what the trigger comes to, and carries that out: reacts 👀 and
 * queues a run through admission — or explains, once, why not. Someone without write access gets
 * nothing but one polite reply per issue: no reaction, no config report, no other write.
 */
export async function processTrigger(request: TriggerRequest, deps: TriggerDeps): Promise<TriggerOutcome> {
  const { owner, repo, number } = request;
  const fullName = `${owner}/${repo}`;
  const botLogin = await deps.botLogin();
  if (isOwnEvent(request, botLogin)) return { result: "ignored", reason: "our own event" };
  // A line addressed to someone else (`@alice …`) reads as a command only to the parser.
  if (addressedToOthers(request, botLogin)) return { result: "ignored", reason: "addressed to someone else" };

  const octokit = await deps.github(request.installationId, tokenScope(repo, "intake"));
  const forge = githubVersionControl(octokit, { owner, repo, installationId: request.installationId, ...(deps.urls ? { urls: deps.urls } : {}) });
  const reply = async (body: string, reason: string): Promise<TriggerOutcome> => {
    await forge.comment(number, body);
    return { result: "replied", reason };
  };

  // The pull request as GitHub has it now. Intake jobs run concurrently, so a burst of pushes is
  // not handled in order: every review trigger takes the head from here, never from its payload.
  let pull: Promise<ChangeRequest> | undefined;
  const currentPull = () => (pull ??= forge.changeRequest(number));

  const ref = request.isPullRequest ? (await currentPull()).base.ref : request.defaultBranch;
  // What the configuration was read from is kept: a run queued here follows this version of it.
  const reads: ConfigRead[] = [];
  const otherRepository = async (_owner: string, name: string) => recordingContents(await deps.github(request.installationId, configReadScope(name)), reads);
  const loaded: RepoConfigResult = await loadRepoConfig(recordingContents(octokit, reads), { owner, repo, ref }, undefined, {
    otherRepository,
    ...(deps.mirrors ? { integrations: deps.mirrors.integrations.set } : {}),
  });
  const basis = (): RunBasis => ({ defaultBranch: request.defaultBranch, config: reads });

  // The facts the decision needs, each asked once and only when the router needs it.
  const facts: TriggerFacts = { botLogin, ...(request.isPullRequest ? { change: await currentPull() } : {}) };
  let decision = routeTrigger(request, loaded, facts);
  while (decision.kind === "need") {
    if (decision.fact === "check") facts.check = await checkFacts(deps.store, fullName, await currentPull());
    else facts.canWrite = await forge.canWrite(request.sender.login);
    decision = routeTrigger(request, loaded, facts);
  }

  switch (decision.kind) {
    case "ignore":
      return { result: "ignored", reason: decision.reason };
    case "refuse": {
      // Nothing that writes happens for a sender who fails the gate but this one reply per issue,
      // whoever asks: many accounts asking cannot make the app post many.
      const first = await deps.store.claimNotice(`refusal:${fullName}#${number}`);
      if (!first) return { result: "ignored", reason: "no write access (already told)" };
      return reply(replies.refusalText(request.sender.login), "no write access");
    }
    case "config_problems": {
      // Once per issue and version of the problems, not once per comment.
      const version = createHash("sha256").update(decision.text).digest("hex").slice(0, 16);
      if (!(await deps.store.claimNotice(`config:${fullName}#${number}:${version}`))) return { result: "ignored", reason: "invalid config (already told)" };
      return reply(decision.text, "invalid config");
    }
  }
  // Every decision past the gate was made on a usable configuration.
  if (!loaded.ok) throw new Error("a trigger was routed past the gate on an unusable configuration");
  const { config } = loaded;

  // Feedback first, and the 👀 is the first write: GitHub spaces an installation's writes a second
  // apart, so whichever goes first, the other follows a second later. The 👀 is written here, before
  // the run is queued: it needs no run and no free run slot, so it comes within a moment even when
  // every slot is busy (the tracking comment can only come when the run starts, maybe minutes later),
  // and every trigger past the gate gets it, reviews and answers too. The tracking comment, with its
  // link to the run, follows as the run starts: a second behind at most, when the slot is free.
  const detail = request.detail;
  if (detail.type === "command") await forge.react({ comment: String(detail.commentId) }, "eyes");
  else if (detail.type === "label") await forge.react({ issue: number }, "eyes");

  // Each person's runs here are counted per hour, claimed where a run would be queued.
  const rate = rateGate(deps.store, request, deps.triggerRateLimitPerHour, config.triggers.rate_limit_per_hour);
  const settle = async (admission: Admission): Promise<TriggerOutcome> => {
    if (admission.result === "reply") {
      if (admission.noticeKey && !(await deps.store.claimNotice(admission.noticeKey))) return { result: "ignored", reason: `${admission.reason} (already told)` };
      return reply(admission.text, admission.reason);
    }
    // A run queued here is announced to the repository's status mirrors.
    if (admission.result === "queued" && deps.mirrors) await announceQueued(request, admission.runId, config, deps);
    return admission;
  };
  switch (decision.kind) {
    case "reply":
      return reply(decision.text, decision.reason);
    case "status":
      return reply(statusText(await activeRuns(deps.store, fullName, number), deps.runUrl), "status");
    case "stop":
      return reply(await requestStop(deps.store, fullName, number, request.sender.login, deps.runUrl), "stop");
    case "queue":
      return settle(await admitRun(request, { ...decision, basis: { ...basis(), ...(request.isPullRequest ? { change: await currentPull() } : {}) } }, deps, rate));
    case "review":
      return settle(await admitReview(request, { ...basis(), change: await currentPull() }, decision.trigger, deps, rate));
    case "follow_up":
      return settle(await admitFollowUp(request, { ...basis(), change: await currentPull() }, decision, deps, rate));
    case "fix_ci":
      return settle(await admitFixCi(request, decision, { ...basis(), change: await currentPull() }, { deps, rate, botLogin }));
    case "fix_ci_spent":
      return fixAttemptsSpent(request, decision, forge, deps.store);
  }
}

async function announceQueued(request: TriggerRequest, runId: string, config: RepoConfig, deps: TriggerDeps): Promise<void> {
  const run = await deps.store.getRun(runId);
  if (!run || !deps.mirrors) return;
  const mirror = runMirror(sinksFor(config, deps.mirrors), deps.mirrors, () => ({
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

async function requestStop(store: Store, repo: string, number: number, by: string, runUrl: (id: string) => string): Promise<string> {
  const runs = await activeRuns(store, repo, number);
  for (const run of runs) await stopRun(store, run, by);
  return stopRequestedText(runs, by, runUrl);
}
