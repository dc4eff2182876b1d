import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JiraSettings } from "../../src/integrations/jira/settings.js";
import { type ConfigProblem, MAX_REPO_CONFIG_BYTES, REPO_CONFIG_PATH, defaultRepoConfig, formatConfigProblems } from "../../src/config/repo-config.js";
import { loadRepoConfig, parseRepoConfig } from "../../src/workflow/repo-config.js";

const DEFAULTS = {
  version: 1,
  triggers: {
    implement_label: "ai:implement",
    commands: ["plan", "implement", "review", "ask", "fix-ci", "stop", "status", "help"],
    review: {
      events: ["opened", "reopened", "ready_for_review", "synchronize"],
      drafts: false,
      paths: [],
      ignore_paths: [],
      ignore_authors: [],
    },
    allow_bots: [],
    workflow_labels: { "ai:hotfix": "hotfix", "ai:docs": "docs" },
  },
  models: {
    implement: "claude-sonnet-5-5",
    plan: "claude-sonnet-5-5",
    review: "claude-sonnet-5-5",
    review_tail: "claude-haiku-5",
    ask: "claude-sonnet-5-5",
    max_tokens: 16000,
  },
  budgets: { usd_per_run: 5 },
  agent: { commands: {}, max_turns: 50, protected_paths: [".github/**", ".husky/**", ".githooks/**"], allow_protected: false, draft_pull_requests: false, shell: true, sandbox: { network: false }, self_review: true, self_review_severity: "high", follow_up: { enabled: true, reviews: true }, fix_ci: { enabled: true, max_attempts: 2, label: "ai:needs-human" } },
  plan: { create_sub_issues: false, context: {} },
  review: { max_comments: 15, request_changes: false, chunk_tokens: 40_000, full_files: 300, parallel_chunks: 3, skip_generated: true },
  notify: {},
  docs: {},
  workflows: {},
};

const lines = (...text: string[]): string => `${text.join("\n")}\n`;

/** The problems of a file that must not parse, as `line:column message`. */
function problemsOf(text: string): string[] {
  const result = parseRepoConfig(text);
  if (result.ok) throw new Error("expected problems, got a config");
  for (const problem of result.problems) expect(problem.file).toBe(REPO_CONFIG_PATH);
  return result.problems.map((p) => `${p.line}:${p.column} ${p.message}`);
}

// "Billion laughs": nine levels of nine aliases each would expand to 9^9 strings.
const billionLaughs = lines(
  'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
  ...["b", "c", "d", "e", "f", "g", "h", "i"].map((name, i) => {
    const previous = "abcdefgh"[i]!;
    return `${name}: &${name} [${Array.from({ length: 9 }, () => `*${previous}`).join(", ")}]`;
  }),
);

describe("parseRepoConfig", () => {
  it.each([
    ["an empty file", ""],
    ["a file of comments", "# nothing configured yet\n"],
    ["version 1 alone", "version: 1\n"],
    ["empty sections", lines("version: 1", "triggers:", "  # review:", "  #   drafts: true")],
    ["empty lists", lines("version: 1", "triggers:", "  review:", "    paths:", "    # - src/**")],
    [
      "every new section empty",
      lines("version: 1", "models:", "budgets:", "agent:", "  commands:", "    test:", "  protected_paths:", "plan:", "notify:", "  slack:", "  jira:", "  linear:"),
    ],
  ])("gives the full defaults for %s", (_name, text) => {
    expect(parseRepoConfig(text)).toEqual({ ok: true, config: DEFAULTS, source: "file" });
  });

  it("gives a fresh default config each time", () => {
    const config = defaultRepoConfig();
    expect(config).toEqual(DEFAULTS);
    config.triggers.commands.pop();
    expect(defaultRepoConfig().triggers.commands).toHaveLength(8);
  });

  it("reads a complete file", () => {
    const text = lines(
      "# ai-agent settings for this repository",
      "version: 1",
      "triggers:",
      "  implement_label: robot",
      "  commands: [plan, ask, help]",
      "  review:",
      "    events:",
      "      - opened",
      "      - ready_for_review",
      "    drafts: true",
      "    paths: [\"src/**\", \"lib/**/*.ts\"]",
      "    ignore_paths: ['**/*.md']",
      "    ignore_authors: [octocat]",
      "  allow_bots:",
      "    - renovate[bot]",
      "    - dependabot[bot]",
    );
    expect(parseRepoConfig(text)).toEqual({
      ok: true,
      source: "file",
      config: {
        ...DEFAULTS,
        triggers: {
          implement_label: "robot",
          commands: ["plan", "ask", "help"],
          review: {
            events: ["opened", "ready_for_review"],
            drafts: true,
            paths: ["src/**", "lib/**/*.ts"],
            ignore_paths: ["**/*.md"],
            ignore_authors: ["octocat"],
          },
          allow_bots: ["renovate[bot]", "dependabot[bot]"],
          workflow_labels: DEFAULTS.triggers.workflow_labels,
        },
      },
    });
  });

  it("reads the models, budgets, agent, plan and notify sections", () => {
    const text = lines(
      "version: 1",
      "models:",
      "  implement: claude-opus-5",
      "  max_tokens: 32000",
      "budgets:",
      "  usd_per_run: 2.5",
      "agent:",
      "  commands:",
      "    test: npm test",
      "  max_turns: 10",
      "  protected_paths: []",
      "  allow_protected: true",
      "  shell: false",
      "  sandbox:",
      "    network: true",
      "  fix_ci:",
      "    max_attempts: 3",
      "    label: ci:stuck",
      "plan:",
      "  create_sub_issues: true",
      "notify:",
      "  slack:",
      "    channel: C0123ABCD",
      "  jira:",
      "    project: AI_2",
    );
    const result = parseRepoConfig(text);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.config).toEqual({
      ...DEFAULTS,
      models: { ...DEFAULTS.models, implement: "claude-opus-5", max_tokens: 32000 },
      budgets: { usd_per_run: 2.5 },
      agent: { commands: { test: "npm test" }, max_turns: 10, protected_paths: [], allow_protected: true, draft_pull_requests: false, shell: false, sandbox: { network: true }, self_review: true, self_review_severity: "high", follow_up: { enabled: true, reviews: true }, fix_ci: { enabled: true, max_attempts: 3, label: "ci:stuck" } },
      plan: { create_sub_issues: true, context: {} },
      notify: {
        slack: { channel: "C0123ABCD" },
        jira: { project: "AI_2", create_tasks: false, transitions: { started: "In Progress", pr_opened: "In Review" } },
      },
    });
  });

  it("replaces the default Jira transitions with the ones written", () => {
    const text = lines("version: 1", "notify:", "  jira:", "    project: ABC", "    transitions:", "      succeeded: Done");
    const result = parseRepoConfig(text);
    expect(result.ok && (result.config.notify.jira as JiraSettings | undefined)?.transitions).toEqual({ succeeded: "Done" });
  });

  it("reads notify.linear with its default states, and replaces them with the ones written", () => {
    const defaults = parseRepoConfig(lines("version: 1", "notify:", "  linear:", "    team: ENG"));
    expect(defaults.ok && defaults.config.notify.linear).toEqual({ team: "ENG", create_tasks: false, states: { started: "In Progress", pr_opened: "In Review" } });
    const written = parseRepoConfig(lines("version: 1", "notify:", "  linear:", "    team: ENG", "    create_tasks: true", "    states:", "      succeeded: Done"));
    expect(written.ok && written.config.notify.linear).toEqual({ team: "ENG", create_tasks: true, states: { succeeded: "Done" } });
  });

  it("accepts a few anchors and aliases", () => {
    const text = lines("version: 1", "triggers:", "  review:", "    paths: &src [src/**]", "    ignore_paths: *src");
    const result = parseRepoConfig(text);
    expect(result.ok && result.config.triggers.review.ignore_paths).toEqual(["src/**"]);
  });

  it.each<[string, string, string[]]>([
    ["a wrong version", "version: 2\n", ['1:10 version: expected 1']],
    ["a version as text", 'version: "1"\n', ['1:10 version: expected 1']],
    ["no version", lines("triggers:", "  implement_label: robot"), ['1:1 version: required; add "version: 1" at the top of the file']],
    ["a number as the label", lines("version: 1", "triggers:", "  implement_label: 42"), ["3:20 triggers.implement_label: expected a label name"]],
    [
      "an empty label",
      lines("version: 1", "triggers:", '  implement_label: ""'),
      ["3:20 triggers.implement_label: expected a label name, not an empty string"],
    ],
    [
      "a label too long for GitHub",
      lines("version: 1", "triggers:", `  implement_label: ${"x".repeat(51)}`),
      ["3:20 triggers.implement_label: a GitHub label name has at most 50 characters"],
    ],
    ["yes for a boolean", lines("version: 1", "triggers:", "  review:", "    drafts: yes"), ["4:13 triggers.review.drafts: expected true or false"]],
    ["no value for a boolean", lines("version: 1", "triggers:", "  review:", "    drafts:"), ["4:5 triggers.review.drafts: expected true or false"]],
    [
      "an unknown command",
      lines("version: 1", "triggers:", "  commands:", "    - plan", "    - deploy"),
      ['5:7 triggers.commands[1]: "deploy" is not a command; expected one of plan, implement, review, ask, fix-ci, stop, status, help'],
    ],
    [
      "a number among the commands",
      lines("version: 1", "triggers:", "  commands: [plan, 7]"),
      ["3:20 triggers.commands[1]: 7 is not a command; expected one of plan, implement, review, ask, fix-ci, stop, status, help"],
    ],
    ["one command instead of a list", lines("version: 1", "triggers:", "  commands: plan"), ["3:13 triggers.commands: expected a list of commands"]],
    [
      "an unknown review event",
      lines("version: 1", "triggers:", "  review:", "    events: [opened, closed]"),
      ['4:22 triggers.review.events[1]: "closed" is not a pull request event; expected one of opened, reopened, ready_for_review, synchronize'],
    ],
    [
      "an empty glob",
      lines("version: 1", "triggers:", "  review:", '    ignore_paths: ["docs/**", ""]'),
      ["4:31 triggers.review.ignore_paths[1]: expected a glob pattern, not an empty string"],
    ],
    [
      "a bot login without [bot]",
      lines("version: 1", "triggers:", "  allow_bots: [renovate]"),
      ['3:16 triggers.allow_bots[0]: expected a bot login ending in [bot], such as "renovate[bot]"'],
    ],
    ["an unknown top-level key", lines("version: 1", "trigger:", "  implement_label: x"), ["2:1 trigger: unknown key; did you mean \"triggers\"? expected one of version, triggers, models, budgets, agent, plan, review, notify, docs, workflows"]],
    [
      "an unknown key in triggers",
      lines("version: 1", "triggers:", "  reviw:", "    drafts: true"),
      ["3:3 triggers.reviw: unknown key; did you mean \"review\"? expected one of implement_label, commands, review, allow_bots, workflow_labels, rate_limit_per_hour"],
    ],
    [
      "two unknown keys in review",
      lines("version: 1", "triggers:", "  review:", "    draft: true", "    drafts: true", "    path: [src]"),
      [
        "4:5 triggers.review.draft: unknown key; \"draft\" may be \"drafts\", \"path\" may be \"paths\"; expected one of events, drafts, paths, ignore_paths, ignore_authors",
        "6:5 triggers.review.path: unknown key; \"draft\" may be \"drafts\", \"path\" may be \"paths\"; expected one of events, drafts, paths, ignore_paths, ignore_authors",
      ],
    ],
    ["max_tokens 0", lines("version: 1", "models:", "  max_tokens: 0"), ["3:15 models.max_tokens: expected a whole number from 1 to 128000"]],
    ["a fractional max_tokens", lines("version: 1", "models:", "  max_tokens: 1.5"), ["3:15 models.max_tokens: expected a whole number from 1 to 128000"]],
    [
      "an unknown model key",
      lines("version: 1", "models:", "  implemnt: claude-sonnet-5-5"),
      ["3:3 models.implemnt: unknown key; did you mean \"implement\"? expected one of implement, plan, review, review_tail, ask, max_tokens"],
    ],
    ["a model name with a space", lines("version: 1", "models:", "  plan: claude sonnet"), ["3:9 models.plan: a model name has no spaces"]],
    ["a negative budget", lines("version: 1", "budgets:", "  usd_per_run: -1"), ["3:16 budgets.usd_per_run: expected an amount in US dollars greater than 0"]],
    [
      "a budget as text",
      lines("version: 1", "budgets:", '  usd_per_repo_month: "$200"'),
      ["3:23 budgets.usd_per_repo_month: expected an amount in US dollars, such as 5"],
    ],
    ["a trigger rate limit of 0", lines("version: 1", "triggers:", "  rate_limit_per_hour: 0"), ["3:24 triggers.rate_limit_per_hour: expected a whole number from 1 to 10000"]],
    ["max_turns over 500", lines("version: 1", "agent:", "  max_turns: 501"), ["3:14 agent.max_turns: expected a whole number from 1 to 500"]],
    [
      "protected_paths not a list",
      lines("version: 1", "agent:", "  protected_paths: .github/**"),
      ["3:20 agent.protected_paths: expected a list of glob patterns"],
    ],
    [
      "commands.test as a number",
      lines("version: 1", "agent:", "  commands:", "    test: 42"),
      ['4:11 agent.commands.test: expected a shell command, such as "npm test"'],
    ],
    [
      "an unknown key under agent.commands",
      lines("version: 1", "agent:", "  commands:", "    deploy: make deploy"),
      ["4:5 agent.commands.deploy: unknown key; expected one of install, test, lint, build"],
    ],
    ["allow_protected as text", lines("version: 1", "agent:", "  allow_protected: yes"), ["3:20 agent.allow_protected: expected true or false"]],
    ["create_sub_issues as a number", lines("version: 1", "plan:", "  create_sub_issues: 1"), ["3:22 plan.create_sub_issues: expected true or false"]],
    [
      "a Slack channel without #",
      lines("version: 1", "notify:", "  slack:", "    channel: general"),
      ['4:14 notify.slack.channel: expected a Slack channel name starting with #, such as "#ai-agent", or a channel id such as C0123ABCD'],
    ],
    [
      "jira without a project",
      lines("version: 1", "notify:", "  jira:", "    create_tasks: true"),
      ['4:5 notify.jira.project: required; the key of the Jira project, such as "ABC"'],
    ],
    [
      "a lowercase Jira project key",
      lines("version: 1", "notify:", "  jira:", "    project: abc"),
      ['4:14 notify.jira.project: expected a Jira project key in capitals, such as "ABC"'],
    ],
    [
      "an unknown Jira transition",
      lines("version: 1", "notify:", "  jira:", "    project: ABC", "    transitions:", "      merged: Done"),
      ["6:7 notify.jira.transitions.merged: unknown key; expected one of started, pr_opened, review_posted, succeeded, failed, stopped"],
    ],
    [
      "linear without a team",
      lines("version: 1", "notify:", "  linear:", "    create_tasks: true", "  jira:", "    project: ABC"),
      ['4:5 notify.linear.team: required; the key of the Linear team, such as "ENG"'],
    ],
    ["a lowercase Linear team key", lines("version: 1", "notify:", "  linear:", "    team: eng"), ['4:11 notify.linear.team: expected a Linear team key in capitals, such as "ENG"']],
    [
      "an unknown Linear state event",
      lines("version: 1", "notify:", "  linear:", "    team: ENG", "    states:", "      merged: Done"),
      ["6:7 notify.linear.states.merged: unknown key; expected one of started, pr_opened, review_posted, succeeded, failed, stopped"],
    ],
    ["an unknown key in notify", lines("version: 1", "notify:", "  teams: general"), ["3:3 notify.teams: unknown key; expected one of slack, jira, linear, email"]],
    ["a list for a section", lines("version: 1", "triggers:", "  - review"), ["3:3 triggers: expected a mapping of settings (key: value)"]],
    ["a top-level list", lines("- version: 1"), ['1:1 expected a mapping of settings (key: value) starting with "version: 1"; found a list']],
    ["a top-level string", "hello\n", ['1:1 expected a mapping of settings (key: value) starting with "version: 1"; found "hello"']],
    [
      "YAML syntax errors",
      lines("version: 1", "triggers:", "  implement_label: x: y", "  commands: [plan"),
      [
        "3:20 YAML syntax error: Nested mappings are not allowed in compact mappings",
        "5:1 YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
      ],
    ],
    ["an unclosed quote", lines("version: 1", "triggers:", '  implement_label: "x'), ['4:1 YAML syntax error: Missing closing "quote']],
    [
      "a duplicate key",
      lines("version: 1", "triggers:", "  implement_label: a", "  implement_label: b"),
      ['4:3 duplicate key "implement_label"; each key may appear once per mapping'],
    ],
    ["a tab for indentation", lines("version: 1", "triggers:", "\timplement_label: x"), ["3:1 YAML does not allow tabs for indentation; indent with spaces"]],
    ["two documents", lines("version: 1", "---", "version: 1"), ['2:1 the file holds more than one YAML document (a "---" line after content); keep one']],
    ["an alias without its anchor", lines("version: 1", "triggers:", "  review:", "    paths: *src"), ["4:12 YAML alias *src has no anchor &src before it"]],
    [
      "a billion laughs",
      billionLaughs,
      ["2:8 too many YAML aliases (*name): the file expands to more than 100 aliased values; write the values out or reuse fewer"],
    ],
    [
      "a file over 64 KiB",
      `version: 1\n${"#".repeat(MAX_REPO_CONFIG_BYTES)}\n`,
      [`1:1 the file is ${MAX_REPO_CONFIG_BYTES + 12} bytes; the limit is 65536 bytes (64 KiB)`],
    ],
  ])("reports %s with its position", (_name, text, expected) => {
    expect(problemsOf(text)).toEqual(expected);
  });

  it("lists every problem in file order", () => {
    const text = lines("triggers:", "  commands: [deploy]", "  review:", "    drafts: 1", "version: 3", "extra: true");
    expect(problemsOf(text)).toEqual([
      '2:14 triggers.commands[0]: "deploy" is not a command; expected one of plan, implement, review, ask, fix-ci, stop, status, help',
      "4:13 triggers.review.drafts: expected true or false",
      "5:10 version: expected 1",
      "6:1 extra: unknown key; expected one of version, triggers, models, budgets, agent, plan, review, notify, docs, workflows",
    ]);
  });

  it("names the file it was given", () => {
    const result = parseRepoConfig("version: 7\n", "config/other.yml");
    expect(result).toEqual({ ok: false, problems: [{ file: "config/other.yml", line: 1, column: 10, message: "version: expected 1" }] });
  });
});

describe("formatConfigProblems", () => {
  const problem = (line: number, message: string): ConfigProblem => ({ file: REPO_CONFIG_PATH, line, column: 3, message });

  it("says nothing was started, lists each problem with its position, and says what to do", () => {
    expect(formatConfigProblems([problem(3, "triggers.review.drafts: expected true or false")])).toBe(
      [
        "**The ai-agent configuration is invalid, so nothing was started.**",
        "",
        "- `.github/ai-agent.yml:3:3` triggers.review.drafts: expected true or false",
        "",
        "Fix the file and trigger again.",
      ].join("\n"),
    );
  });

  it("lists at most 20 problems", () => {
    const body = formatConfigProblems(Array.from({ length: 23 }, (_, i) => problem(i + 1, "version: expected 1")));
    expect(body.split("\n").filter((line) => line.startsWith("- `"))).toHaveLength(20);
    expect(body).toContain("- `.github/ai-agent.yml:20:3` version: expected 1\n- …and 3 more\n");
  });

  it("keeps what the file says from rendering as mentions, references or markup", () => {
    const body = formatConfigProblems([problem(1, 'triggers."@octocat <b>#1</b>": unknown key;\nexpected one of implement_label')]);
    expect(body).toContain('- `.github/ai-agent.yml:1:3` triggers."@\u2060octocat \\<b\\>#\u20601\\</b\\>": unknown key; expected one of implement\\_label');
  });
});

describe("loadRepoConfig", () => {
  const CONTENTS = "/repos/o/r/contents/.github%2Fai-agent.yml";
  const octokit = new ProbotOctokit({ auth: { token: "ghs_test" } });
  const target = { owner: "o", repo: "r", ref: "main" };

  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  const sha = "3d21ec53a331a6f037a91c368710b99387d012c1";

  /** What the contents API says about any entry at the path; a listing holds only this. */
  function entry(type: string, size: number) {
    const url = "https://api.github.com/repos/o/r/contents/.github/ai-agent.yml?ref=main";
    const html = "https://github.com/o/r/blob/main/.github/ai-agent.yml";
    const git = `https://api.github.com/repos/o/r/git/blobs/${sha}`;
    return {
      name: "ai-agent.yml",
      path: ".github/ai-agent.yml",
      sha,
      size,
      url,
      html_url: html,
      git_url: git,
      download_url: "https://raw.githubusercontent.com/o/r/main/.github/ai-agent.yml",
      type,
      _links: { self: url, git, html },
    };
  }

  /** The contents API's answer for a file, base64 wrapped at 60 columns as GitHub sends it. */
  function fileResponse(text: string) {
    const base64 = Buffer.from(text).toString("base64");
    const content = (base64.match(/.{1,60}/g) ?? []).map((line) => `${line}\n`).join("");
    return { ...entry("file", Buffer.byteLength(text)), content, encoding: "base64" };
  }

  it("reads and validates the file at the ref", async () => {
    const text = lines("version: 1", "# a comment long enough that the base64 wraps over several lines", "triggers:", "  commands: [plan, help]");
    const api = nock("https://api.github.com").get(CONTENTS).query({ ref: "main" }).reply(200, fileResponse(text));
    const result = await loadRepoConfig(octokit, target);
    expect(result).toEqual({
      ok: true,
      source: "file",
      config: { ...DEFAULTS, triggers: { ...DEFAULTS.triggers, commands: ["plan", "help"] } },
    });
    expect(api.isDone()).toBe(true);
  });

  it("reports the file's problems with their positions", async () => {
    nock("https://api.github.com").get(CONTENTS).query({ ref: "main" }).reply(200, fileResponse(lines("version: 1", "triggers:", "  implement_label: 42")));
    expect(await loadRepoConfig(octokit, target)).toEqual({
      ok: false,
      problems: [{ file: REPO_CONFIG_PATH, line: 3, column: 20, message: "triggers.implement_label: expected a label name" }],
    });
  });

  it("gives the defaults when there is no file", async () => {
    const notFound = { message: "Not Found", documentation_url: "https://docs.github.com/rest/repos/contents#get-repository-content", status: "404" };
    nock("https://api.github.com").get(CONTENTS).query({ ref: "main" }).reply(404, notFound);
    // Nor in the organisation's .github repository.
    nock("https://api.github.com").get("/repos/o/.github/contents/.github%2Fai-agent.yml").reply(404, notFound);
    expect(await loadRepoConfig(octokit, target)).toEqual({ ok: true, config: DEFAULTS, source: "default" });
  });

  it("reports a directory at the path", async () => {
    const listed = { ...entry("file", 11), name: "x.yml", path: ".github/ai-agent.yml/x.yml" };
    nock("https://api.github.com").get(CONTENTS).query({ ref: "main" }).reply(200, [listed]);
    expect(await loadRepoConfig(octokit, target)).toEqual({
      ok: false,
      problems: [{ file: REPO_CONFIG_PATH, line: 1, column: 1, message: ".github/ai-agent.yml is a directory; expected a YAML file" }],
    });
  });

  it("reports a symlink that GitHub does not follow", async () => {
    nock("https://api.github.com")
      .get(CONTENTS)
      .query({ ref: "main" })
      .reply(200, { ...entry("symlink", 19), target: "../../elsewhere.yml" });
    expect(await loadRepoConfig(octokit, target)).toMatchObject({
      ok: false,
      problems: [{ line: 1, column: 1, message: ".github/ai-agent.yml is a symlink; expected a regular YAML file" }],
    });
  });

  it("reports a file over the size limit without decoding it", async () => {
    nock("https://api.github.com")
      .get(CONTENTS)
      .query({ ref: "main" })
      .reply(200, { ...fileResponse(""), size: 2_000_000, content: "", encoding: "none" });
    expect(await loadRepoConfig(octokit, target)).toMatchObject({
      ok: false,
      problems: [{ line: 1, column: 1, message: "the file is 2000000 bytes; the limit is 65536 bytes (64 KiB)" }],
    });
  });

  it("reports a file that is not UTF-8", async () => {
    const response = fileResponse("");
    const bytes = Buffer.from([0x76, 0x65, 0x72, 0xff, 0xfe, 0x0a]);
    nock("https://api.github.com")
      .get(CONTENTS)
      .query({ ref: "main" })
      .reply(200, { ...response, size: bytes.length, content: bytes.toString("base64") });
    expect(await loadRepoConfig(octokit, target)).toMatchObject({
      ok: false,
      problems: [{ line: 1, column: 1, message: "the file is not UTF-8 text; save it as UTF-8" }],
    });
  });

  it("passes on other GitHub errors", async () => {
    nock("https://api.github.com").get(CONTENTS).query({ ref: "main" }).reply(403, { message: "Resource not accessible by integration" });
    await expect(loadRepoConfig(octokit, target)).rejects.toMatchObject({ status: 403 });
  });
});
