import { type ConfigProblem, type RepoConfig, formatConfigProblems } from "../config/repo-config.js";
import { type ChangeRequest, headInFork, openedBy } from "../core/run.js";
import type { TriggerRequest } from "../core/trigger.js";
import { isAllowedSender } from "./permissions.js";
import { type CheckDecision, type CheckFacts, routeCheck } from "./route-check.js";
import * as replies from "./replies.js";

/**
 * What a trigger asks for, decided from the request, the repository's configuration and the facts
 * fetched for it — no I/O here, so every branch is a table row in a unit test. The intake job
 * (runs/process-trigger.ts) fetches the facts, calls this, and carries the decision out.
 *
 * Whether the sender may write is asked of GitHub only when a decision depends on it: a label
 * nobody configured, or a push the repository does not review, costs no request. Until it is known
 * the decision is `need`, and the job asks and routes again.
 */

/** The configuration as the loader gave it: usable, or the problems that make it unusable. */
export type LoadedConfig = { ok: true; config: RepoConfig } | { ok: false; problems: ConfigProblem[] };

export interface TriggerFacts {
  /** The app's own login (`<slug>[bot]`); its own events start nothing. */
  botLogin?: string | undefined;
  /** Whether the sender has write access to the repository; undefined until asked. */
  canWrite?: boolean | undefined;
  /** The pull request as GitHub has it now, for a trigger on one: who opened it, where its head is. */
  change?: ChangeRequest | undefined;
  /** For a failed check: the pull request, its CI fix attempts, whether a follow-up runs on it. */
  check?: CheckFacts | undefined;
}

export type TriggerDecision =
  | { kind: "ignore"; reason: string }
  /** Ask this fact, add it to the facts and route again. */
  | { kind: "need"; fact: "canWrite" | "check" }
  /** The sender may not write: one polite reply per issue, nothing else. */
  | { kind: "refuse" }
  /** A writer met an unusable configuration: the problems, once per issue and version of them. */
  | { kind: "config_problems"; text: string }
  /** Past the gate from here on: a command or label is acknowledged (👀) before what follows. */
  | { kind: "reply"; reason: string; text: string }
  | { kind: "queue"; task: "implement" | "plan" | "ask"; trigger: "label" | "command"; input?: string; workflow?: string }
  | { kind: "review"; trigger: "pull_request" | "command" }
  /** Further work on the pull request's branch; what was asked is gathered by the run itself. */
  | { kind: "follow_up"; trigger: "command" | "review"; input?: string; workflow?: "follow_up_new_pr" }
  /** A CI fix on the pull request's branch: a follow_up run with workflow fix_ci. */
  | { kind: "fix_ci"; trigger: "check" | "command"; input?: string }
  | Extract<CheckDecision, { kind: "fix_ci_spent" }>
  | { kind: "stop" }
  | { kind: "status" };

/**
 * The app's own events (its comments, its pushes) start nothing; checked before anything is fetched.
 * A check is the exception: its sender is whoever pushed — the app itself, after a fix — and whether
 * the check is the app's own is told by the app that made it (triggers/check-requests.ts).
 */
export function isOwnEvent(request: TriggerRequest, botLogin: string | undefined): boolean {
  return botLogin !== undefined && request.sender.login === botLogin && request.detail.type !== "check";
}

/** `/ai implement --new-pr …` on a pull request: the change on a new branch and pull request of this repository. */
export const NEW_PULL_REQUEST = /^--new-pr\b/;

/** Whether a command addressed someone other than the app (`@alice implement …` is not for us). */
export function addressedToOthers(request: TriggerRequest, botLogin: string | undefined): boolean {
  if (request.detail.type !== "command" || request.detail.command.mention === undefined) return false;
  return botLogin === undefined || `${request.detail.command.mention}[bot]` !== botLogin.toLowerCase();
}

/** Whether the app opened the pull request: its own pull requests are the ones it follows up by itself. */
function openedByApp(facts: TriggerFacts): boolean {
  return facts.change !== undefined && openedBy(facts.change, facts.botLogin);
}

function fromFork(request: TriggerRequest, change: ChangeRequest | undefined): boolean {
  return change !== undefined && headInFork(change, `${request.owner}/${request.repo}`);
}

export function routeTrigger(request: TriggerRequest, loaded: LoadedConfig, facts: TriggerFacts): TriggerDecision {
  if (isOwnEvent(request, facts.botLogin)) return { kind: "ignore", reason: "our own event" };
  if (addressedToOthers(request, facts.botLogin)) return { kind: "ignore", reason: "addressed to someone else" };
  if (request.detail.type === "check") {
    // Nobody asked: a broken configuration is reported to people who do, not once per check.
    if (!loaded.ok) return { kind: "ignore", reason: "invalid config, check event" };
    return routeCheck(request, request.detail, loaded.config, facts.botLogin, facts.check);
  }
  const gate = (): TriggerDecision | undefined => {
    if (facts.canWrite === undefined) return { kind: "need", fact: "canWrite" };
    if (facts.canWrite) return undefined;
    // A push is not a request: an outside contributor's pull request is skipped without a reply.
    return request.detail.type === "pull_request" ? { kind: "ignore", reason: "sender lacks write access" } : { kind: "refuse" };
  };

  if (!loaded.ok) {
    // Without a config there is no bot allow-list: bots are ignored, as by default.
    if (request.sender.type === "Bot") return { kind: "ignore", reason: "invalid config, bot sender" };
    return gate() ?? { kind: "config_problems", text: formatConfigProblems(loaded.problems) };
  }
  const { triggers } = loaded.config;
  if (!isAllowedSender(request.sender, triggers.allow_bots)) return { kind: "ignore", reason: "bot not allow-listed" };

  const detail = request.detail;
  if (detail.type === "label") {
    // The implement label runs the implement workflow; a workflow label (ai:hotfix) runs its workflow.
    const workflow = detail.label !== triggers.implement_label ? triggers.workflow_labels[detail.label] : undefined;
    if (detail.label !== triggers.implement_label && !workflow) return { kind: "ignore", reason: "other label" };
    if (request.isPullRequest) return { kind: "ignore", reason: "label on a pull request" };
    return gate() ?? { kind: "queue", task: "implement", trigger: "label", ...(workflow ? { workflow } : {}) };
  }
  if (detail.type === "pull_request") {
    if (!triggers.review.events.includes(detail.action)) return { kind: "ignore", reason: `review on ${detail.action} is off` };
    if (detail.draft && !triggers.review.drafts) return { kind: "ignore", reason: "draft pull request" };
    if (triggers.review.ignore_authors.includes(detail.author)) return { kind: "ignore", reason: "ignored author" };
    return gate() ?? { kind: "review", trigger: "pull_request" };
  }

  if (detail.type === "review") {
    const { follow_up } = loaded.config.agent;
    if (!follow_up.enabled || !follow_up.reviews) return { kind: "ignore", reason: "follow-ups on reviews are off" };
    if (detail.state !== "commented" && detail.state !== "changes_requested") return { kind: "ignore", reason: `a review that is ${detail.state}` };
    if (!openedByApp(facts)) return { kind: "ignore", reason: "a review of a pull request the app did not open" };
    // A review is not a request to the app: an outsider's gets no reply, as their pull request does not.
    const refused = gate();
    if (refused) return refused.kind === "refuse" ? { kind: "ignore", reason: "reviewer lacks write access" } : refused;
    return { kind: "follow_up", trigger: "review" };
  }

  const refused = gate();
  if (refused) return refused;
  const { command } = detail;
  const enabled = triggers.commands;
  const followUps = loaded.config.agent.follow_up.enabled;
  if (command.kind === "unknown" && request.isPullRequest && followUps && openedByApp(facts)) {
    return { kind: "follow_up", trigger: "command", input: command.text };
  }
  if (command.kind === "unknown") return { kind: "reply", reason: "unknown command", text: replies.unknownCommandText(command.name, enabled) };
  const name = command.name;
  if (!enabled.includes(name)) return { kind: "reply", reason: "command off", text: replies.disabledCommandText(name) };
  switch (name) {
    case "help":
      return { kind: "reply", reason: "help", text: replies.helpText(enabled, triggers.implement_label) };
    case "status":
      return { kind: "status" };
    case "stop":
      return { kind: "stop" };
    case "implement":
      if (!request.isPullRequest) return { kind: "queue", task: name, trigger: "command", ...(command.args ? { input: command.args } : {}) };
      // On a pull request: commits on its branch, when the app can push there.
      if (!followUps) return { kind: "reply", reason: "follow-ups off", text: replies.followUpsOffText() };
      if (NEW_PULL_REQUEST.test(command.args)) {
        return { kind: "follow_up", trigger: "command", input: command.args.replace(NEW_PULL_REQUEST, "").trim(), workflow: "follow_up_new_pr" };
      }
      if (fromFork(request, facts.change)) return { kind: "reply", reason: "fork", text: replies.forkText(facts.change?.author ?? null) };
      return { kind: "follow_up", trigger: "command", input: command.args };
    case "plan":
      if (request.isPullRequest) return { kind: "reply", reason: "wrong place", text: replies.wrongPlaceText(name, true) };
      return { kind: "queue", task: name, trigger: "command", ...(command.args ? { input: command.args } : {}) };
    case "review":
      if (!request.isPullRequest) return { kind: "reply", reason: "wrong place", text: replies.wrongPlaceText(name, false) };
      return { kind: "review", trigger: "command" };
    case "ask":
      if (!command.args) return { kind: "reply", reason: "empty question", text: replies.emptyQuestionText() };
      return { kind: "queue", task: "ask", trigger: "command", input: command.args };
    case "fix-ci":
      // Any writer may ask on any pull request; whether its branch can be pushed to is the intake's to read.
      if (!request.isPullRequest) return { kind: "reply", reason: "wrong place", text: replies.wrongPlaceText(name, false) };
      return { kind: "fix_ci", trigger: "command", ...(command.args ? { input: command.args } : {}) };
  }
}
