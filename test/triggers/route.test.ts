import { describe, expect, it } from "vitest";
import { type RepoConfig, defaultRepoConfig } from "../../src/config/repo-config.js";
import type { ChangeRequest } from "../../src/core/run.js";
import type { TriggerDetail, TriggerRequest } from "../../src/core/trigger.js";
import { parseSlashCommands } from "../../src/triggers/commands.js";
import { type LoadedConfig, type TriggerDecision, type TriggerFacts, routeTrigger } from "../../src/triggers/route.js";

const BOT = "ai-agent[bot]";

function request(detail: TriggerDetail, overrides: Partial<TriggerRequest> = {}): TriggerRequest {
  return {
    deliveryId: "d-1",
    installationId: 1,
    owner: "acme",
    repo: "widgets",
    defaultBranch: "main",
    number: 7,
    isPullRequest: false,
    sender: { login: "octocat", type: "User" },
    detail,
    ...overrides,
  };
}

const label = (name: string, overrides: Partial<TriggerRequest> = {}) => request({ type: "label", label: name }, overrides);
const comment = (body: string, overrides: Partial<TriggerRequest> = {}) => {
  const [command] = parseSlashCommands(body);
  if (!command) throw new Error(`no command in ${body}`);
  return request({ type: "command", commentId: 11, command }, overrides);
};
const push = (action: "opened" | "synchronize" | "ready_for_review" = "synchronize", draft = false, author = "octocat") =>
  request({ type: "pull_request", action, draft, author }, { isPullRequest: true });
const onPull = { isPullRequest: true };

/** The default configuration with `triggers` changed. */
function config(triggers: Partial<RepoConfig["triggers"]> = {}, review: Partial<RepoConfig["triggers"]["review"]> = {}): LoadedConfig {
  const base = defaultRepoConfig();
  return { ok: true, config: { ...base, triggers: { ...base.triggers, ...triggers, review: { ...base.triggers.review, ...review } } } };
}
const broken: LoadedConfig = { ok: false, problems: [{ file: ".github/ai-agent.yml", line: 2, column: 3, message: "triggers.commands: expected a list" }] };

const writer: TriggerFacts = { botLogin: BOT, canWrite: true };
const outsider: TriggerFacts = { botLogin: BOT, canWrite: false };
const unknown: TriggerFacts = { botLogin: BOT };

/** A pull request as the intake reads it: the app's own unless another author is named. */
const change = (author: string | null = BOT, headRepo: string | null = "acme/widgets"): ChangeRequest => ({
  number: 7,
  title: "Fix the widget",
  body: "",
  state: "open",
  draft: false,
  author,
  head: { ref: "ai/3-fix", sha: "a".repeat(40), repo: headRepo },
  base: { ref: "main" },
  url: "https://github.com/acme/widgets/pull/7",
});
const onOurs = (facts: TriggerFacts, pull = change()): TriggerFacts => ({ ...facts, change: pull });
const review = (state: string, overrides: Partial<TriggerRequest> = {}) => request({ type: "review", reviewId: 5, state }, { isPullRequest: true, ...overrides });
const withFollowUps = (follow_up: Partial<RepoConfig["agent"]["follow_up"]>): LoadedConfig => {
  const base = defaultRepoConfig();
  return { ok: true, config: { ...base, agent: { ...base.agent, follow_up: { ...base.agent.follow_up, ...follow_up } } } };
};

const reply = (reason: string) => expect.objectContaining({ kind: "reply", reason, text: expect.any(String) as string }) as TriggerDecision;

const cases: { name: string; request: TriggerRequest; config: LoadedConfig; facts: TriggerFacts; decision: TriggerDecision }[] = [
  // The app itself, bots and the gate.
  { name: "our own comment", request: comment("/ai plan", { sender: { login: BOT, type: "Bot" } }), config: config(), facts: unknown, decision: { kind: "ignore", reason: "our own event" } },
  { name: "a bot on an unusable config", request: label("ai:implement", { sender: { login: "renovate[bot]", type: "Bot" } }), config: broken, facts: unknown, decision: { kind: "ignore", reason: "invalid config, bot sender" } },
  { name: "a writer on an unusable config, permission not yet known", request: comment("/ai plan"), config: broken, facts: unknown, decision: { kind: "need", fact: "canWrite" } },
  { name: "an outsider on an unusable config", request: comment("/ai plan"), config: broken, facts: outsider, decision: { kind: "refuse" } },
  { name: "a writer on an unusable config", request: comment("/ai plan"), config: broken, facts: writer, decision: { kind: "config_problems", text: expect.stringContaining("`.github/ai-agent.yml:2:3` triggers.commands: expected a list") as string } },
  { name: "a bot not allow-listed", request: comment("/ai plan", { sender: { login: "renovate[bot]", type: "Bot" } }), config: config(), facts: writer, decision: { kind: "ignore", reason: "bot not allow-listed" } },
  { name: "an allow-listed bot", request: comment("/ai plan", { sender: { login: "renovate[bot]", type: "Bot" } }), config: config({ allow_bots: ["renovate[bot]"] }), facts: writer, decision: { kind: "queue", task: "plan", trigger: "command" } },
  // Labels.
  { name: "another label, without asking GitHub", request: label("bug"), config: config(), facts: unknown, decision: { kind: "ignore", reason: "other label" } },
  { name: "the implement label on a pull request", request: label("ai:implement", onPull), config: config(), facts: unknown, decision: { kind: "ignore", reason: "label on a pull request" } },
  { name: "the implement label, permission not yet known", request: label("ai:implement"), config: config(), facts: unknown, decision: { kind: "need", fact: "canWrite" } },
  { name: "the implement label from an outsider", request: label("ai:implement"), config: config(), facts: outsider, decision: { kind: "refuse" } },
  { name: "the implement label", request: label("ai:implement"), config: config(), facts: writer, decision: { kind: "queue", task: "implement", trigger: "label" } },
  { name: "a renamed implement label", request: label("robot"), config: config({ implement_label: "robot" }), facts: writer, decision: { kind: "queue", task: "implement", trigger: "label" } },
  { name: "a workflow label", request: label("ai:hotfix"), config: config(), facts: writer, decision: { kind: "queue", task: "implement", trigger: "label", workflow: "hotfix" } },
  { name: "a workflow label turned off", request: label("ai:hotfix"), config: config({ workflow_labels: {} }), facts: writer, decision: { kind: "ignore", reason: "other label" } },
  // Pull request events.
  { name: "a push the repository does not review", request: push("synchronize"), config: config({}, { events: ["opened"] }), facts: unknown, decision: { kind: "ignore", reason: "review on synchronize is off" } },
  { name: "a draft", request: push("opened", true), config: config(), facts: unknown, decision: { kind: "ignore", reason: "draft pull request" } },
  { name: "a draft where drafts are reviewed", request: push("opened", true), config: config({}, { drafts: true }), facts: writer, decision: { kind: "review", trigger: "pull_request" } },
  { name: "an ignored author", request: push("opened", false, "dependabot"), config: config({}, { ignore_authors: ["dependabot"] }), facts: unknown, decision: { kind: "ignore", reason: "ignored author" } },
  { name: "an outsider's push, without a reply", request: push(), config: config(), facts: outsider, decision: { kind: "ignore", reason: "sender lacks write access" } },
  { name: "a writer's push", request: push(), config: config(), facts: writer, decision: { kind: "review", trigger: "pull_request" } },
  // Commands.
  { name: "a command, permission not yet known", request: comment("/ai help"), config: config(), facts: unknown, decision: { kind: "need", fact: "canWrite" } },
  { name: "a command from an outsider", request: comment("/ai help"), config: config(), facts: outsider, decision: { kind: "refuse" } },
  { name: "an unknown command", request: comment("/ai dance"), config: config(), facts: writer, decision: reply("unknown command") },
  { name: "a command turned off", request: comment("/ai plan"), config: config({ commands: ["help"] }), facts: writer, decision: reply("command off") },
  { name: "help", request: comment("/ai help"), config: config(), facts: writer, decision: reply("help") },
  { name: "status", request: comment("/ai status"), config: config(), facts: writer, decision: { kind: "status" } },
  { name: "stop", request: comment("/ai stop"), config: config(), facts: writer, decision: { kind: "stop" } },
  { name: "plan", request: comment("/ai plan"), config: config(), facts: writer, decision: { kind: "queue", task: "plan", trigger: "command" } },
  { name: "implement with instructions", request: comment("/ai implement use tabs"), config: config(), facts: writer, decision: { kind: "queue", task: "implement", trigger: "command", input: "use tabs" } },
  { name: "plan on a pull request", request: comment("/ai plan", onPull), config: config(), facts: onOurs(writer), decision: reply("wrong place") },
  // Follow-ups on pull requests.
  { name: "a request in words on the app's pull request", request: comment("/ai use a Map here", onPull), config: config(), facts: onOurs(writer), decision: { kind: "follow_up", trigger: "command", input: "use a Map here" } },
  { name: "a mention of the app on its pull request", request: comment("@ai-agent rename it", onPull), config: config(), facts: onOurs(writer), decision: { kind: "follow_up", trigger: "command", input: "rename it" } },
  { name: "a mention of someone else", request: comment("@alice implement it", onPull), config: config(), facts: onOurs(writer), decision: { kind: "ignore", reason: "addressed to someone else" } },
  { name: "a mention of the app for a command", request: comment("@ai-agent plan"), config: config(), facts: writer, decision: { kind: "queue", task: "plan", trigger: "command" } },
  { name: "a request in words on someone else's pull request", request: comment("/ai use a Map here", onPull), config: config(), facts: onOurs(writer, change("octocat")), decision: reply("unknown command") },
  { name: "a request in words from an outsider", request: comment("/ai use a Map here", onPull), config: config(), facts: onOurs(outsider), decision: { kind: "refuse" } },
  { name: "a request in words with follow-ups off", request: comment("/ai use a Map here", onPull), config: withFollowUps({ enabled: false }), facts: onOurs(writer), decision: reply("unknown command") },
  { name: "implement on someone else's pull request", request: comment("/ai implement add tests", onPull), config: config(), facts: onOurs(writer, change("octocat")), decision: { kind: "follow_up", trigger: "command", input: "add tests" } },
  { name: "implement on a fork's pull request", request: comment("/ai implement add tests", onPull), config: config(), facts: onOurs(writer, change("octocat", "octocat/widgets")), decision: reply("fork") },
  { name: "implement --new-pr on a fork's pull request", request: comment("/ai implement --new-pr add tests", onPull), config: config(), facts: onOurs(writer, change("octocat", "octocat/widgets")), decision: { kind: "follow_up", trigger: "command", input: "add tests", workflow: "follow_up_new_pr" } },
  { name: "implement on a deleted fork's pull request", request: comment("/ai implement", onPull), config: config(), facts: onOurs(writer, change("octocat", null)), decision: reply("fork") },
  { name: "implement on a pull request with follow-ups off", request: comment("/ai implement", onPull), config: withFollowUps({ enabled: false }), facts: onOurs(writer), decision: reply("follow-ups off") },
  { name: "a review asking for changes on the app's pull request", request: review("changes_requested"), config: config(), facts: onOurs(writer), decision: { kind: "follow_up", trigger: "review" } },
  { name: "a review with comments, permission not yet known", request: review("commented"), config: config(), facts: onOurs(unknown), decision: { kind: "need", fact: "canWrite" } },
  { name: "an outsider's review, without a reply", request: review("commented"), config: config(), facts: onOurs(outsider), decision: { kind: "ignore", reason: "reviewer lacks write access" } },
  { name: "a review of someone else's pull request", request: review("changes_requested"), config: config(), facts: onOurs(writer, change("octocat")), decision: { kind: "ignore", reason: "a review of a pull request the app did not open" } },
  { name: "a dismissed review", request: review("dismissed"), config: config(), facts: onOurs(writer), decision: { kind: "ignore", reason: "a review that is dismissed" } },
  { name: "a review with follow-ups on reviews off", request: review("commented"), config: withFollowUps({ reviews: false }), facts: onOurs(writer), decision: { kind: "ignore", reason: "follow-ups on reviews are off" } },
  { name: "the app's own review", request: review("commented", { sender: { login: BOT, type: "Bot" } }), config: config(), facts: onOurs(writer), decision: { kind: "ignore", reason: "our own event" } },
  { name: "review on a pull request", request: comment("/ai review", onPull), config: config(), facts: writer, decision: { kind: "review", trigger: "command" } },
  { name: "review on an issue", request: comment("/ai review"), config: config(), facts: writer, decision: reply("wrong place") },
  { name: "a question", request: comment("/ai ask why?"), config: config(), facts: writer, decision: { kind: "queue", task: "ask", trigger: "command", input: "why?" } },
  { name: "ask without a question", request: comment("/ai ask"), config: config(), facts: writer, decision: reply("empty question") },
  { name: "fix-ci on a pull request", request: comment("/ai fix-ci", onPull), config: config(), facts: writer, decision: { kind: "fix_ci", trigger: "command" } },
  { name: "fix-ci with instructions", request: comment("/ai fix-ci keep the old API", onPull), config: config(), facts: writer, decision: { kind: "fix_ci", trigger: "command", input: "keep the old API" } },
  { name: "fix-ci on an issue", request: comment("/ai fix-ci"), config: config(), facts: writer, decision: reply("wrong place") },
  { name: "fix-ci from an outsider", request: comment("/ai fix-ci", onPull), config: config(), facts: outsider, decision: { kind: "refuse" } },
  { name: "fix-ci turned off", request: comment("/ai fix-ci", onPull), config: config({ commands: ["help"] }), facts: writer, decision: reply("command off") },
];

describe("routeTrigger", () => {
  it.each(cases)("$name", ({ request, config, facts, decision }) => {
    expect(routeTrigger(request, config, facts)).toEqual(decision);
  });

  it("names the enabled commands in the reply to an unknown one, and the command in a disabled one's", () => {
    const unknownReply = routeTrigger(comment("/ai dance"), config({ commands: ["plan", "help"] }), writer);
    expect(unknownReply.kind === "reply" && unknownReply.text).toContain("/ai plan");
    const off = routeTrigger(comment("/ai plan"), config({ commands: ["help"] }), writer);
    expect(off.kind === "reply" && off.text).toContain("plan");
  });
});
