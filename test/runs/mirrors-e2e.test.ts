import type { IssuesLabeledEvent } from "@octokit/webhooks-types";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectIntegrations } from "../../src/integrations/connect.js";
import { builtInIntegrations } from "../../src/integrations/registry.js";
import { workflowTasks } from "../../src/runs/workflow-task.js";
import { type TestApp, WEBHOOK_SECRET, eventually, startTestApp } from "../helpers/app-server.js";
import { type FakeGitHub, fakeGitHub } from "../helpers/fake-github.js";
import { type FakeLinear, fakeLinear } from "../helpers/fake-linear.js";
import { type TestSmtpServer, parseMail, startSmtpServer } from "../helpers/smtp.js";
import { deliver, examplePayload } from "../helpers/webhooks.js";

/**
 * A run mirrored to Slack, Jira, Linear and email at once, through the whole app: the intake
 * announces the queued run, the run job updates the same Slack message, moves the Jira and the
 * Linear issue, attaches the pull request to the Linear issue and mails the notable events, and the
 * workflow's own jira.* step comments explicitly; a broken Slack channel, a refusing SMTP server or
 * a Linear that never answers never fails the run, nor holds up the other mirrors.
 */

const REPO = "Codertocat/Hello-World";
const SLACK = "https://slack.e2e.test";
const JIRA = "https://acme-e2e.atlassian.test";
const LINEAR = "https://linear-mirrors.test/graphql";

const CONFIG = [
  "version: 1",
  "notify:",
  '  slack: { channel: "#ai-agent" }',
  "  jira:",
  "    project: ABC",
  "  email:",
  "    to: [dev@acme.test]",
  "  linear:",
  "    team: ENG",
  "workflows:",
  "  implement:",
  "    steps:",
  "      - id: pr",
  "        uses: github.create_pull_request",
  '        with: { title: "{{ issue.title }}", head: "ai/{{ issue.number }}-work", body: "Closes #{{ issue.number }}" }',
  "      - id: note",
  "        uses: jira.comment",
  '        with: { body: "Opened {{ steps.pr.outputs.url }}" }',
  "",
].join("\n");

describe("status mirrors through the app", () => {
  let app: TestApp;
  let github: FakeGitHub;
  const slack: { path: string; body: Record<string, string> }[] = [];
  const jira: { method: string; path: string; body: unknown }[] = [];
  let channelGone = false;
  let smtp: TestSmtpServer;
  let linear: FakeLinear;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    app = await startTestApp((store) =>
      workflowTasks({
        mirrors: {
          // The server's own composition, from the variables an operator sets.
          integrations: connectIntegrations(builtInIntegrations, {
            SLACK_BOT_TOKEN: "xoxb-e2e",
            SLACK_API_URL: `${SLACK}/api/`,
            JIRA_BASE_URL: JIRA,
            JIRA_EMAIL: "bot@acme.test",
            JIRA_API_TOKEN: "jira-e2e",
            SMTP_HOST: "127.0.0.1",
            SMTP_PORT: smtp.port,
            SMTP_FROM: "ai-agent <ai-agent@acme.test>",
            LINEAR_API_KEY: "lin-mirrors",
            LINEAR_API_URL: LINEAR,
          }),
          store,
          log: { warn: () => undefined },
        },
        runUrl: (id) => `http://127.0.0.1/runs/${id}`,
      }),
    );
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
  });
  beforeEach(() => {
    github = fakeGitHub();
    github.permissions.set("Codertocat", "write");
    github.configFiles.set("master", CONFIG);
    github.configFiles.set("main", CONFIG);
    slack.length = 0;
    jira.length = 0;
    smtp.received.length = 0;
    smtp.answers.rcpt = undefined;
    linear = fakeLinear(LINEAR, { apiKey: "lin-mirrors" });
    let ts = 0;
    nock(SLACK)
      .persist()
      .post(/\/api\/chat\.(postMessage|update)/)
      .reply(function (path, raw) {
        const body = Object.fromEntries(new URLSearchParams(typeof raw === "string" ? raw : ""));
        slack.push({ path, body });
        if (channelGone) return [200, { ok: false, error: "channel_not_found" }];
        return [200, { ok: true, channel: "C0123ABCD", ts: body.ts ?? `1700000000.00${++ts}`, message: { text: body.text } }];
      });
    nock(JIRA)
      .persist()
      .get(/\/rest\/api\/3\/issue\/ABC-\d+\/transitions/)
      .reply(200, { transitions: [{ id: "21", name: "In Progress", to: { name: "In Progress" } }, { id: "31", name: "In Review", to: { name: "In Review" } }] })
      .post(/\/rest\/api\/3\/issue\/ABC-\d+\/(comment|transitions|remotelink)/)
      .reply(function (path, body) {
        jira.push({ method: "POST", path, body });
        return path.endsWith("/transitions") ? [204, ""] : [201, { id: String(10000 + jira.length) }];
      });
  });
  afterEach(() => {
    github.done();
    nock.cleanAll();
  });

  const labeled = (number: number, title: string) => {
    const payload = examplePayload<IssuesLabeledEvent>("issues", "labeled");
    payload.label!.name = "ai:implement";
    payload.issue.number = number;
    payload.issue.title = title;
    return payload;
  };

  it("posts one Slack message for the run, updates it, threads the notable events, and keeps the Jira and Linear issues and the mail in step", async () => {
    const issue = linear.addIssue("Login fails");
    const title = `ABC-5: login fails (${issue.identifier})`;
    github.issueTitles.set(21, title);
    await deliver(app.webhookUrl, "issues", labeled(21, title), WEBHOOK_SECRET);
    const run = await eventually(async () => (await app.database.store.listRuns({ repo: REPO, number: 21 })).find((r) => r.status === "succeeded"), 30_000);
    await eventually(async () => slack.some((c) => c.body.thread_ts && c.body.text?.startsWith("Done")), 15_000);

    const parents = slack.filter((c) => c.path.endsWith("chat.postMessage") && !c.body.thread_ts);
    expect(parents).toHaveLength(1);
    // The intake announces the queued run; when the run starts first, the message begins at "Running".
    expect(parents[0]!.body.text).toMatch(/^implement — Codertocat\/Hello-World#21: ABC-5: login fails \(ENG-1\) — (Queued|Running)$/);
    const updates = slack.filter((c) => c.path.endsWith("chat.update"));
    expect(updates.length).toBeGreaterThanOrEqual(3);
    expect(updates.every((u) => u.body.ts === "1700000000.001" && u.body.channel === "C0123ABCD")).toBe(true);
    expect(updates.at(-1)!.body.text).toMatch(/— Succeeded$/);
    const thread = slack.filter((c) => c.body.thread_ts).map((c) => c.body.text);
    expect(thread).toEqual(["Pull request opened: https://github.com/Codertocat/Hello-World/pull/100", "Done · cost $0.00"]);
    const stored = await app.database.store.getRun(run.id);
    expect(stored!.links).toMatchObject({
      slackChannel: "C0123ABCD",
      slackTs: "1700000000.001",
      jiraKey: "ABC-5",
      // The addresses the dashboard links the run to.
      slackThread: "https://slack.com/archives/C0123ABCD/p1700000000001",
      jiraIssue: new URL("browse/ABC-5", JIRA.replace(/\/?$/, "/")).toString(),
    });
    await eventually(async () => jira.filter((r) => r.path.endsWith("/comment")).length >= 4, 15_000);
    const comments = jira.filter((r) => r.path.endsWith("/comment")).map((r) => JSON.stringify(r.body));
    expect(comments.some((c) => c.includes("ai-agent implement for Codertocat/Hello-World#21 started, asked by Codertocat."))).toBe(true);
    expect(comments.some((c) => c.includes("Opened https://github.com/Codertocat/Hello-World/pull/100"))).toBe(true);
    expect(jira.every((r) => r.path.includes("/issue/ABC-5/"))).toBe(true);
    expect(jira.filter((r) => r.path.endsWith("/transitions")).map((r) => r.body)).toEqual([{ transition: { id: "21" } }, { transition: { id: "31" } }]);
    expect(jira.filter((r) => r.path.endsWith("/remotelink")).map((r) => (r.body as { object: { url: string } }).object.url)).toEqual(["https://github.com/Codertocat/Hello-World/pull/100"]);
    // The tracking comment shows addresses only, not the mirrors' bookkeeping.
    // The tracking comment's last edit may still be on its way under load.
    await eventually(async () => github.comments().some((c) => c.body.includes("**Done**")), 15_000);
    const tracking = github.comments().filter((c) => c.body.includes("**Done**")).at(-1)!.body;
    expect(tracking).not.toContain("slackTs");
    // Email: the pull request and the end of the run, one thread.
    await eventually(async () => smtp.received.length >= 2, 15_000);
    const mails = smtp.received.map((m) => parseMail(m.raw).headers);
    expect(mails.map((h) => [h["message-id"], h["in-reply-to"]])).toEqual([
      [`<run-${run.id}@127.0.0.1>`, undefined],
      [`<run-${run.id}-succeeded@127.0.0.1>`, `<run-${run.id}@127.0.0.1>`],
    ]);
    expect(smtp.received.map((m) => m.to)).toEqual([["dev@acme.test"], ["dev@acme.test"]]);
    // Linear: a comment per notable event, the state moved to In Review, the pull request attached once.
    await eventually(async () => issue.comments.some((c) => c.body.includes("finished")), 15_000);
    expect(issue.comments.map((c) => c.body.replace(/ \[.*$/, ""))).toEqual([
      "ai-agent implement for Codertocat/Hello-World\\#21 started, asked by Codertocat.",
      "ai-agent implement for Codertocat/Hello-World\\#21 opened a pull request.",
      "ai-agent implement for Codertocat/Hello-World\\#21 finished \\(cost $0.00\\).",
    ]);
    expect(issue.stateId).toBe(linear.team.states.find((s) => s.name === "In Review")!.id);
    expect(issue.attachments.map((a) => a.url)).toEqual(["https://github.com/Codertocat/Hello-World/pull/100"]);
    expect((await app.database.store.getRun(run.id))!.links).toMatchObject({ linearKey: issue.identifier, linearIssue: issue.url });
  });

  it("keeps Slack, Jira and email in step while Linear never answers, and the run does not wait for it", async () => {
    linear.down = "hang";
    github.issueTitles.set(25, "ABC-9: ENG-7 hangs");
    await deliver(app.webhookUrl, "issues", labeled(25, "ABC-9: ENG-7 hangs"), WEBHOOK_SECRET);
    // Well before the Linear client's 30 s limit.
    const run = await eventually(async () => (await app.database.store.listRuns({ repo: REPO, number: 25 })).find((r) => r.status === "succeeded"), 20_000);
    await eventually(async () => slack.some((c) => c.body.thread_ts && c.body.text?.startsWith("Done")), 15_000);
    await eventually(async () => jira.filter((r) => r.path.includes("/issue/ABC-9/") && r.path.endsWith("/comment")).length >= 4, 15_000);
    await eventually(async () => smtp.received.length >= 2, 15_000);
    expect(smtp.received.map((m) => parseMail(m.raw).headers["message-id"])).toEqual([`<run-${run.id}@127.0.0.1>`, `<run-${run.id}-succeeded@127.0.0.1>`]);
    expect(jira.filter((r) => r.path.endsWith("/transitions")).map((r) => r.body)).toEqual([{ transition: { id: "21" } }, { transition: { id: "31" } }]);
    // The Linear mirror did try, and is still waiting for its first answer.
    expect(linear.requests.map((r) => r.operation)).toEqual(["Issue"]);
  });

  it("reads the Jira key only from text by people with write access: a reader's issue, labelled by a maintainer, is not mirrored to Jira", async () => {
    // The fake's issues are opened by Codertocat; here he only reads, and a maintainer labels.
    github.permissions.set("Codertocat", "read");
    github.permissions.set("maintainer", "write");
    for (const ref of ["master", "main"]) github.configFiles.set(ref, CONFIG.replace(/ {6}- id: note\n.*\n.*\n/, ""));
    github.issueTitles.set(23, "ABC-7: Fix UTF-8 decoding");
    const payload = labeled(23, "ABC-7: Fix UTF-8 decoding");
    payload.sender.login = "maintainer";
    await deliver(app.webhookUrl, "issues", payload, WEBHOOK_SECRET);
    const run = await eventually(async () => (await app.database.store.listRuns({ repo: REPO, number: 23 })).find((r) => r.status === "succeeded"), 30_000);
    await eventually(async () => slack.some((c) => c.body.thread_ts && c.body.text?.startsWith("Done")), 15_000);
    expect(jira).toEqual([]);
    expect((await app.database.store.getRun(run.id))!.links.jiraKey).toBeUndefined();
    // The author's permission was asked for; the reader's text was never taken for a key.
    expect(github.requests.some((r) => r.method === "GET" && r.path.endsWith("/collaborators/Codertocat/permission"))).toBe(true);
  });

  it("never fails a run for a broken Slack channel, and records why on the run", async () => {
    channelGone = true;
    try {
      github.issueTitles.set(22, "ABC-6: broken");
      await deliver(app.webhookUrl, "issues", labeled(22, "ABC-6: broken"), WEBHOOK_SECRET);
      const run = await eventually(async () => (await app.database.store.listRuns({ repo: REPO, number: 22 })).find((r) => r.status === "succeeded"), 30_000);
      const stored = await eventually(async () => {
        const latest = await app.database.store.getRun(run.id);
        return latest?.links.slackError ? latest : undefined;
      }, 15_000);
      expect(stored.links.slackError).toBe("channel_not_found");
    } finally {
      channelGone = false;
    }
  });

  it("never fails a run for an SMTP server that refuses, records why on the run, and mirrors to Slack all the same", async () => {
    smtp.answers.rcpt = () => [550, "5.1.1 no such mailbox"];
    github.issueTitles.set(24, "ABC-8: refused");
    await deliver(app.webhookUrl, "issues", labeled(24, "ABC-8: refused"), WEBHOOK_SECRET);
    const run = await eventually(async () => (await app.database.store.listRuns({ repo: REPO, number: 24 })).find((r) => r.status === "succeeded"), 30_000);
    const stored = await eventually(async () => {
      const latest = await app.database.store.getRun(run.id);
      return latest?.links.emailError ? latest : undefined;
    }, 15_000);
    expect(stored.links.emailError).toMatch(/^the SMTP server at 127\.0\.0\.1:\d+ answered to RCPT with a refusal: 550 5\.1\.1 no such mailbox$/);
    expect(smtp.received).toEqual([]);
    await eventually(async () => slack.some((c) => c.body.thread_ts && c.body.text?.startsWith("Done")), 15_000);
  });
});
