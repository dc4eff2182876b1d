import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { slackClient } from "../../../src/integrations/slack/client.js";
import { SlackNotifier } from "../../../src/integrations/slack/notifier.js";
import { SlackSink } from "../../../src/integrations/slack/sink.js";
import { RunMirror } from "../../../src/runs/mirror.js";
import { memoryMirrorStore, runInfo } from "../../helpers/run-mirror.js";

/**
 * The Slack sink against Slack's real response shapes (nock), with the run's state in a store that
 * behaves like ours: links merge, notices are claimed once.
 */

const SLACK = "https://slack.test";

const warnings: unknown[] = [];
const log = { warn: (obj: unknown) => warnings.push(obj) };
const slackOk = (extra: Record<string, unknown> = {}) => ({ ok: true, channel: "C0123ABCD", ts: "1700000000.000100", message: { type: "message", text: "…" }, ...extra });

describe("the Slack status mirror", () => {
  beforeEach(() => {
    nock.disableNetConnect();
    warnings.length = 0;
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("one parent message, updated in place, notable events in its thread, none twice after a resume", async () => {
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
    const store = memoryMirrorStore();
    const sink = new SlackSink(new SlackNotifier(slackClient("xoxb-test-token", `${SLACK}/api/`, 0), "#ai-agent"), "#ai-agent");
    const mirror = new RunMirror([sink], () => runInfo, store, log);
    mirror.emit({ type: "queued" });
    mirror.emit({ type: "started" });
    mirror.emit({ type: "step", step: "Plan", status: "succeeded" });
    mirror.emit({ type: "pr_opened", url: "https://github.com/acme/widgets/pull/8" });
    mirror.emit({ type: "succeeded", summary: "Added dark mode." });
    await mirror.flush();
    // A resumed run emits again; its message is updated, its thread not repeated.
    const resumed = new RunMirror([sink], () => runInfo, store, log);
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

  it("retries a 429 after its Retry-After, and records an error such as channel_not_found once, without throwing", async () => {
    nock(SLACK).post("/api/chat.postMessage").reply(429, { ok: false, error: "ratelimited" }, { "retry-after": "1" }).post("/api/chat.postMessage").reply(200, slackOk());
    const store = memoryMirrorStore();
    const started = Date.now();
    const mirror = new RunMirror([new SlackSink(new SlackNotifier(slackClient("xoxb-test-token", `${SLACK}/api/`, 2), "#ai-agent"), "#ai-agent")], () => runInfo, store, log);
    mirror.emit({ type: "queued" });
    await mirror.flush();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(store.links.slackTs).toBe("1700000000.000100");

    nock(SLACK).post("/api/chat.postMessage").times(3).reply(200, { ok: false, error: "channel_not_found" });
    const broken = memoryMirrorStore();
    const failing = new RunMirror([new SlackSink(new SlackNotifier(slackClient("xoxb-test-token", `${SLACK}/api/`, 0), "#gone"), "#gone")], () => runInfo, broken, log);
    failing.emit({ type: "queued" });
    failing.emit({ type: "started" });
    failing.emit({ type: "failed", message: "x" });
    await failing.flush();
    expect(broken.links.slackError).toBe("channel_not_found");
    expect(warnings).toEqual([{ run: "run-1", sink: "slack", reason: "channel_not_found" }]);
    expect(JSON.stringify(warnings)).not.toContain("xoxb-test-token");
  });
});
