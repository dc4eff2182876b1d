import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JiraClient } from "../../src/integrations/jira/client.js";
import { JiraSink } from "../../src/integrations/jira/sink.js";
import { JiraTracker } from "../../src/integrations/jira/tracker.js";
import type { RunInfo } from "../../src/integrations/kinds/status.js";
import { slackClient } from "../../src/integrations/slack/client.js";
import { SlackNotifier } from "../../src/integrations/slack/notifier.js";
import { SlackSink } from "../../src/integrations/slack/sink.js";
import { type MirrorStore, RunMirror } from "../../src/runs/mirror.js";
import type { Run } from "../../src/core/run.js";

/**
 * The sinks against Slack's and Jira's real response shapes (nock), with the run's state in a store
 * that behaves like ours: links merge, notices are claimed once.
 */

const SLACK = "https://slack.test";
const JIRA = "https://acme.atlassian.test";

function memoryStore(): MirrorStore & { links: Record<string, string> } {
  const links: Record<string, string> = {};
  const claimed = new Set<string>();
  return {
    links,
    getRun: () => Promise.resolve({ id: "run-1", links: { ...links }, costMicros: 1_230_000 } as unknown as Run),
    updateRun: (_id, patch) => {
      Object.assign(links, patch.links);
      return Promise.resolve(null);
    },
    claimNotice: (key) => {
      const first = !claimed.has(key);
      claimed.add(key);
      return Promise.resolve(first);
    },
  };
}

const info: RunInfo = {
  id: "run-1",
  repo: "acme/widgets",
  number: 7,
  kind: "issue",
  task: "implement",
  actor: "octocat",
  title: "ABC-12: add <dark> mode",
  url: "https://github.com/acme/widgets/issues/7",
  runUrl: "https://ai-agent.example/runs/run-1",
  costMicros: 0,
  taskKeys: { jira: "ABC-12" },
};

const warnings: unknown[] = [];
const log = { warn: (obj: unknown) => warnings.push(obj) };
const slackOk = (extra: Record<string, unknown> = {}) => ({ ok: true, channel: "C0123ABCD", ts: "1700000000.000100", message: { type: "message", text: "…" }, ...extra });

describe("status mirrors", () => {
  beforeEach(() => {
    nock.disableNetConnect();
    warnings.length = 0;
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("Slack: one parent message, updated in place, notable events in its thread, none twice after a resume", async () => {
    const bodies: { path: string; body: Record<string, unknown> }[] = [];
    const scope = nock(SLACK)
      .persist()
      .post(/\/api\/chat\.(postMessage|update)/)
      .reply(function (path, raw) {
        // The client sends Slack's form encoding, as the real API takes it.
        const body = typeof raw === "string" ? Object.fromEntries(new URLSearchParams(raw)) : (raw as Record<string, unknown>);
        bodies.push({ path, body });
        const threaded = body.thread_ts;
        return [200, slackOk(threaded ? { ts: `1700000001.00${bodies.length}` } : {})];
      });
    const store = memoryStore();
    const sink = new SlackSink(new SlackNotifier(slackClient("xoxb-test-token", `${SLACK}/api/`, 0), "#ai-agent"), "#ai-agent");
    const mirror = new RunMirror([sink], () => info, store, log);
    mirror.emit({ type: "queued" });
    mirror.emit({ type: "started" });
    mirror.emit({ type: "step", step: "Plan", status: "succeeded" });
    mirror.emit({ type: "pr_opened", url: "https://github.com/acme/widgets/pull/8" });
    mirror.emit({ type: "succeeded", summary: "Added dark mode." });
    await mirror.flush();
    // A resumed run emits again; its message is updated, its thread not repeated.
    const resumed = new RunMirror([sink], () => info, store, log);
    resumed.emit({ type: "pr_opened", url: "https://github.com/acme/widgets/pull/8" });
    await resumed.flush();
    scope.persist(false);

    const calls = bodies.map((b) => `${b.path.replace("/api/", "")}${b.body.thread_ts ? " (thread)" : ""}`);
    expect(calls).toEqual([
      "chat.postMessage",
      "chat.update",
      "chat.update",
      "chat.update",
      "chat.postMessage (thread)",
      "chat.update",
      "chat.postMessage (thread)",
      "chat.update",
    ]);
    const parent = bodies[0]!.body;
    expect(parent.channel).toBe("#ai-agent");
    const blocks = JSON.parse(String(parent.blocks)) as { text?: { text: string }; fields?: { text: string }[] }[];
    expect(blocks[0]!.text!.text).toBe("*<https://github.com/acme/widgets/issues/7|acme/widgets#7: ABC-12: add &lt;dark&gt; mode>*\nimplement for octocat");
    expect(blocks[1]!.fields!.map((f) => f.text)).toEqual(["*Repository*\nacme/widgets", "*Status*\nQueued", "*Issue*\n<https://github.com/acme/widgets/issues/7|#7>", "*Cost*\n$1.23"]);
    expect(bodies[1]!.body).toMatchObject({ channel: "C0123ABCD", ts: "1700000000.000100" });
    expect(bodies[4]!.body).toMatchObject({ channel: "C0123ABCD", thread_ts: "1700000000.000100", text: "Pull request opened: https://github.com/acme/widgets/pull/8" });
    expect(store.links).toMatchObject({ slackChannel: "C0123ABCD", slackTs: "1700000000.000100" });
  });

  it("Slack: retries a 429 after its Retry-After, and records an error such as channel_not_found once, without throwing", async () => {
    nock(SLACK).post("/api/chat.postMessage").reply(429, { ok: false, error: "ratelimited" }, { "retry-after": "1" }).post("/api/chat.postMessage").reply(200, slackOk());
    const store = memoryStore();
    const started = Date.now();
    const mirror = new RunMirror([new SlackSink(new SlackNotifier(slackClient("xoxb-test-token", `${SLACK}/api/`, 2), "#ai-agent"), "#ai-agent")], () => info, store, log);
    mirror.emit({ type: "queued" });
    await mirror.flush();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(store.links.slackTs).toBe("1700000000.000100");

    nock(SLACK).post("/api/chat.postMessage").times(3).reply(200, { ok: false, error: "channel_not_found" });
    const broken = memoryStore();
    const failing = new RunMirror([new SlackSink(new SlackNotifier(slackClient("xoxb-test-token", `${SLACK}/api/`, 0), "#gone"), "#gone")], () => info, broken, log);
    failing.emit({ type: "queued" });
    failing.emit({ type: "started" });
    failing.emit({ type: "failed", message: "x" });
    await failing.flush();
    expect(broken.links.slackError).toBe("channel_not_found");
    expect(warnings).toEqual([{ run: "run-1", sink: "slack", reason: "channel_not_found" }]);
    expect(JSON.stringify(warnings)).not.toContain("xoxb-test-token");
  });

  it("Jira: comments in ADF, transitions by the configured names, one remote link per pull request, no comment twice", async () => {
    const requests: { method: string; path: string; body: unknown }[] = [];
    const record = (method: string) =>
      function (path: string, body: unknown) {
        requests.push({ method, path, body });
      };
    nock(JIRA)
      .persist()
      .post(/\/rest\/api\/3\/issue\/ABC-12\/comment$/)
      .reply(function (path, body) {
        record("POST")(path, body);
        return [201, { id: String(10000 + requests.length), self: `${JIRA}/rest/api/3/issue/10012/comment/1`, body }];
      })
      .get("/rest/api/3/issue/ABC-12/transitions")
      .reply(200, { expand: "transitions", transitions: [{ id: "21", name: "Start work", to: { name: "In Progress", id: "3" } }, { id: "31", name: "In Review", to: { name: "In Review", id: "4" } }] })
      .post("/rest/api/3/issue/ABC-12/transitions")
      .reply(function (path, body) {
        record("POST")(path, body);
        return [204, ""];
      })
      .post("/rest/api/3/issue/ABC-12/remotelink")
      .reply(function (path, body) {
        record("POST")(path, body);
        return [200, { id: 10000, self: `${JIRA}/rest/api/3/issue/ABC-12/remotelink/10000` }];
      });
    const store = memoryStore();
    const settings = { project: "ABC", create_tasks: false, transitions: { started: "In Progress", pr_opened: "In Review" } };
    const sink = new JiraSink(new JiraTracker(new JiraClient({ baseUrl: JIRA, email: "bot@acme.test", apiToken: "jira-secret-token" }), settings), settings);
    const mirror = new RunMirror([sink], () => info, store, log);
    mirror.emit({ type: "queued" });
    mirror.emit({ type: "started" });
    mirror.emit({ type: "pr_opened", url: "https://github.com/acme/widgets/pull/8" });
    await mirror.flush();
    const again = new RunMirror([sink], () => info, store, log);
    again.emit({ type: "started" });
    again.emit({ type: "pr_opened", url: "https://github.com/acme/widgets/pull/8" });
    await again.flush();

    const comments = requests.filter((r) => r.path.endsWith("/comment"));
    expect(comments).toHaveLength(2);
    expect(comments[0]!.body).toEqual({
      body: {
        type: "doc",
        version: 1,
        content: [
          {
            type: "paragraph",
            content: [
              { type: "text", text: "ai-agent implement for acme/widgets#7 started, asked by octocat." },
              { type: "text", text: " " },
              { type: "text", text: "Run details", marks: [{ type: "link", attrs: { href: "https://ai-agent.example/runs/run-1" } }] },
            ],
          },
        ],
      },
    });
    const links = requests.filter((r) => r.path.endsWith("/remotelink"));
    // Posted again by the resumed run with the same globalId: Jira updates that link, it adds none.
    expect(links.map((l) => (l.body as { globalId: string }).globalId)).toEqual([
      "ai-agent:acme/widgets:https://github.com/acme/widgets/pull/8",
      "ai-agent:acme/widgets:https://github.com/acme/widgets/pull/8",
    ]);
    expect(requests.filter((r) => r.path.endsWith("/transitions")).map((r) => r.body)).toEqual([
      { transition: { id: "21" } },
      { transition: { id: "31" } },
      { transition: { id: "21" } },
      { transition: { id: "31" } },
    ]);
    expect(store.links.jiraKey).toBe("ABC-12");
  });

  it("Jira: honours Retry-After on 429 and 503, and reports Jira's own error messages", async () => {
    nock(JIRA)
      .post("/rest/api/3/issue/ABC-1/comment")
      .reply(429, { errorMessages: ["Rate limit exceeded."] }, { "retry-after": "1" })
      .post("/rest/api/3/issue/ABC-1/comment")
      .reply(503, "Service Unavailable", { "retry-after": "0" })
      .post("/rest/api/3/issue/ABC-1/comment")
      .reply(201, { id: "10001" })
      .post("/rest/api/3/issue/ABC-404/comment")
      .reply(404, { errorMessages: ["Issue does not exist or you do not have permission to see it."], errors: {} });
    const client = new JiraClient({ baseUrl: JIRA, email: "bot@acme.test", apiToken: "jira-secret-token" });
    const started = Date.now();
    expect(await client.addComment("ABC-1", { type: "doc", version: 1, content: [] })).toEqual({ id: "10001" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const failure = await client.addComment("ABC-404", { type: "doc", version: 1, content: [] }).catch((error: Error) => error);
    expect(failure).toMatchObject({ name: "JiraError", status: 404, message: "Jira answered 404 to POST /rest/api/3/issue/ABC-404/comment: Issue does not exist or you do not have permission to see it." });
    expect(JSON.stringify(failure) + (failure instanceof Error ? failure.message : "")).not.toContain("jira-secret-token");
  });
});
