import { describe, expect, it } from "vitest";
import { defaultRepoConfig } from "../../src/config/repo-config.js";
import type { ChangeRequest } from "../../src/core/run.js";
import type { TriggerDetail, TriggerRequest } from "../../src/core/trigger.js";
import { type CheckDecision, type CheckFacts, routeCheck } from "../../src/triggers/route-check.js";
import { type LoadedConfig, type TriggerDecision, type TriggerFacts, routeTrigger } from "../../src/triggers/route.js";

/** The CI autopilot's decision on a failed check, one row per branch. */

const BOT = "ai-agent[bot]";
const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
type CheckDetail = Extract<TriggerDetail, { type: "check" }>;

const detail = (overrides: Partial<CheckDetail> = {}): CheckDetail => ({ type: "check", event: "check_run", id: 4, headSha: HEAD, conclusion: "failure", appId: 15368, name: "test", ...overrides });
function request(check: CheckDetail = detail(), sender = "Codertocat"): TriggerRequest {
  return { deliveryId: "d-1", installationId: 1, owner: "acme", repo: "widgets", defaultBranch: "main", number: 7, isPullRequest: true, sender: { login: sender, type: sender.endsWith("[bot]") ? "Bot" : "User" }, detail: check };
}
const pull = (overrides: Partial<ChangeRequest> = {}, head: Partial<ChangeRequest["head"]> = {}): ChangeRequest => ({
  number: 7,
  title: "Fix the greeting",
  body: "",
  state: "open",
  draft: false,
  author: BOT,
  head: { ref: "ai/3-greeting", sha: HEAD, repo: "acme/widgets", ...head },
  base: { ref: "main" },
  url: "https://github.com/acme/widgets/pull/7",
  ...overrides,
});
const facts = (overrides: Partial<CheckFacts> = {}): CheckFacts => ({ pull: pull(), attempts: { count: 0, heads: [] }, busy: false, ...overrides });
const config = (fix: Partial<ReturnType<typeof defaultRepoConfig>["agent"]["fix_ci"]> = {}) => {
  const base = defaultRepoConfig();
  return { ...base, agent: { ...base.agent, fix_ci: { ...base.agent.fix_ci, ...fix } } };
};

const cases: { name: string; check?: CheckDetail; config?: ReturnType<typeof config>; loginUnknown?: true; facts: CheckFacts | undefined; decision: CheckDecision }[] = [
  { name: "a failure on the app's pull request", facts: facts(), decision: { kind: "fix_ci", trigger: "check" } },
  { name: "a timeout on the app's pull request", check: detail({ conclusion: "timed_out" }), facts: facts(), decision: { kind: "fix_ci", trigger: "check" } },
  { name: "a failure before the pull request is read", facts: undefined, decision: { kind: "need", fact: "check" } },
  { name: "the autopilot turned off, without reading anything", config: config({ enabled: false }), facts: undefined, decision: { kind: "ignore", reason: "agent.fix_ci is off" } },
  { name: "a success", check: detail({ conclusion: "success" }), facts: facts(), decision: { kind: "ignore", reason: "the check did not fail" } },
  { name: "the app's login unknown", loginUnknown: true, facts: facts(), decision: { kind: "ignore", reason: "the app's login is unknown" } },
  { name: "a person's pull request", facts: facts({ pull: pull({ author: "Codertocat" }) }), decision: { kind: "ignore", reason: "not a pull request the app opened" } },
  { name: "another app's pull request", facts: facts({ pull: pull({ author: "renovate[bot]" }) }), decision: { kind: "ignore", reason: "not a pull request the app opened" } },
  { name: "a closed pull request", facts: facts({ pull: pull({ state: "closed" }) }), decision: { kind: "ignore", reason: "the pull request is closed" } },
  { name: "a fork's branch", facts: facts({ pull: pull({}, { repo: "someone/widgets" }) }), decision: { kind: "ignore", reason: "the pull request's branch is in a fork" } },
  { name: "a check on an older head", facts: facts({ pull: pull({}, { sha: "1".repeat(40) }) }), decision: { kind: "ignore", reason: "the head moved on since the check ran" } },
  { name: "a follow-up already at work", facts: facts({ busy: true }), decision: { kind: "ignore", reason: "a follow-up run is active on the pull request" } },
  { name: "the head already worked on", facts: facts({ attempts: { count: 1, heads: [HEAD] } }), decision: { kind: "ignore", reason: "this head was already worked on" } },
  { name: "one attempt of two used, on an older head", facts: facts({ attempts: { count: 1, heads: ["1".repeat(40)] } }), decision: { kind: "fix_ci", trigger: "check" } },
  { name: "two attempts of two used", facts: facts({ attempts: { count: 2, heads: ["1".repeat(40), "2".repeat(40)] } }), decision: { kind: "fix_ci_spent", attempts: 2, label: "ai:needs-human" } },
  { name: "spent, also on a head already worked on", facts: facts({ attempts: { count: 2, heads: ["1".repeat(40), HEAD] } }), decision: { kind: "fix_ci_spent", attempts: 2, label: "ai:needs-human" } },
  { name: "a configured bound and label", config: config({ max_attempts: 1, label: "ci:stuck" }), facts: facts({ attempts: { count: 1, heads: ["1".repeat(40)] } }), decision: { kind: "fix_ci_spent", attempts: 1, label: "ci:stuck" } },
];

describe("routeCheck", () => {
  it.each(cases)("$name", ({ check, config: written, loginUnknown, facts: known, decision }) => {
    expect(routeCheck(request(check), check ?? detail(), written ?? config(), loginUnknown ? undefined : BOT, known)).toEqual(decision);
  });
});

describe("routeTrigger on a check", () => {
  const loaded: LoadedConfig = { ok: true, config: config() };
  const known: TriggerFacts = { botLogin: BOT, check: facts() };

  it("routes a check the app pushed the head of: its sender is the app, yet it is no event of the app's own", () => {
    expect(routeTrigger(request(detail(), BOT), loaded, known)).toEqual<TriggerDecision>({ kind: "fix_ci", trigger: "check" });
  });

  it("routes a check of a bot's push without the bot allow-list, and without asking who may write", () => {
    expect(routeTrigger(request(detail(), "dependabot[bot]"), loaded, { botLogin: BOT })).toEqual<TriggerDecision>({ kind: "need", fact: "check" });
  });

  it("ignores a check on an unusable configuration, with no report to anyone", () => {
    const broken: LoadedConfig = { ok: false, problems: [{ file: ".github/ai-agent.yml", line: 1, column: 1, message: "version: expected 1" }] };
    expect(routeTrigger(request(), broken, known)).toEqual<TriggerDecision>({ kind: "ignore", reason: "invalid config, check event" });
  });
});
