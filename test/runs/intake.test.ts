import { randomUUID } from "node:crypto";
import pg from "pg";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { IssueCommentCreatedEvent, IssuesLabeledEvent, PullRequestSynchronizeEvent } from "@octokit/webhooks-types";
import type { TaskRegistry } from "../../src/runs/tasks.js";
import { APP_ID, type TestApp, WEBHOOK_SECRET, eventually, startTestApp } from "../helpers/app-server.js";
import { type FakeGitHub, fakeGitHub } from "../helpers/fake-github.js";
import { deliver, examplePayload } from "../helpers/webhooks.js";

const REPO = "Codertocat/Hello-World";
/** Runs waiting in a step until the test releases them. */
const waiting = new Set<() => void>();
const hold = () => new Promise<void>((resolve) => waiting.add(resolve));
const release = () => {
  for (const resume of waiting) resume();
  waiting.clear();
};
/** A run shows its step as running a moment before it enters it: wait until it is held there. */
const releaseHeld = async () => {
  await eventually(async () => waiting.size > 0);
  release();
};
const tasks: TaskRegistry = {
  implement: async (ctx) => {
    await ctx.step("plan", "Plan the change", async () => undefined);
    await ctx.step("wait", "Wait for the test", hold);
    await ctx.step("code", "Write the code", async () => undefined);
    return { summary: "Changed one file." };
  },
  review: async (ctx) => {
    await ctx.step("review", "Review", hold);
    return {};
  },
};

const labeled = (number: number, label = "ai:implement", sender = "Codertocat", type = "User") => {
  const payload = examplePayload<IssuesLabeledEvent>("issues", "labeled");
  payload.label!.name = label;
  payload.issue.number = number;
  payload.sender = { ...payload.sender, login: sender, type: type as "User" | "Bot" };
  return payload;
};
const comment = (number: number, body: string, sender = "Codertocat", onPullRequest = false) => {
  const payload = examplePayload<IssueCommentCreatedEvent>("issue_comment", "created");
  payload.issue.number = number;
  payload.comment.id = Math.floor(Math.random() * 1e9);
  payload.comment.body = body;
  payload.comment.user = { ...payload.comment.user, login: sender };
  payload.sender = { ...payload.sender, login: sender };
  if (onPullRequest) {
    const url = `https://api.github.com/repos/${REPO}/pulls/${number}`;
    payload.issue.pull_request = { url, html_url: url, diff_url: url, patch_url: url };
  }
  return payload;
};
const pushed = (number: number, headSha: string, action = "synchronize", draft = false) => {
  const payload = examplePayload<PullRequestSynchronizeEvent>("pull_request", action);
  payload.number = number;
  payload.pull_request.number = number;
  payload.pull_request.head.sha = headSha;
  payload.pull_request.draft = draft;
  return payload;
};

/**
 * For one describe block: the app, started once with these tasks (released runs, closed at the
 * end), and a fake GitHub per test, in which Codertocat may write.
 */
function appPerSuite(options: { concurrency?: number; triggerRateLimitPerHour?: number }, onApp: (app: TestApp) => void, onGitHub: (github: FakeGitHub) => void): void {
  let app: TestApp | undefined;
  let github: FakeGitHub | undefined;
  beforeAll(async () => {
    app = await startTestApp(tasks, options);
    onApp(app);
  });
  afterAll(async () => {
    release();
    await app?.close();
  });
  beforeEach(() => {
    github = fakeGitHub();
    github.permissions.set("Codertocat", "write");
    onGitHub(github);
  });
  afterEach(() => {
    release();
    github?.done();
  });
}

describe("triggers: from webhook to queued run", () => {
  let app: TestApp;
  let github: FakeGitHub;
  const send = (event: string, payload: unknown, id?: string) => deliver(app.webhookUrl, event, payload, WEBHOOK_SECRET, id);
  const runsOn = (number: number) => app.database.store.listRuns({ repo: REPO, number });
  /** The queue's finished intake and trigger jobs for one delivery id. */
  let jobs: pg.Pool;
  const jobsFor = async (deliveryId: string) => {
    if (!jobs) {
      jobs = new pg.Pool({ connectionString: app.database.postgresUrl, max: 1 });
      jobs.on("error", () => undefined); // the scratch database is dropped at the end
    }
    const { rows } = await jobs.query<{ name: string; n: string }>(
      `SELECT name, count(*) AS n FROM agenda_jobs WHERE last_finished_at IS NOT NULL AND (
         (name = 'intake' AND data->'entries' @> jsonb_build_array(jsonb_build_object('delivery', jsonb_build_object('id', $1::text))))
         OR (name = 'trigger' AND data->>'deliveryId' = $1)) GROUP BY name`,
      [deliveryId],
    );
    const count = (name: string) => Number(rows.find((r) => r.name === name)?.n ?? 0);
    return { intake: count("intake"), trigger: count("trigger") };
  };
  afterAll(async () => {
    await jobs?.end();
  });
  const commentsOn = (number: number) => github.comments().filter((c) => c.method === "POST" && c.path.endsWith(`/issues/${number}/comments`));

  appPerSuite({}, (started) => (app = started), (fake) => (github = fake));

  it("queues an implement run for the label, reacts 👀, and keeps a tracking comment to the end", async () => {
    const res = await send("issues", labeled(11));
    expect(res.status).toBe(200);
    const run = await eventually(async () => (await runsOn(11)).find((r) => r.status === "running" && r.steps.length === 2));
    expect(run).toMatchObject({ task: "implement", trigger: "label", actor: "Codertocat", kind: "issue" });
    expect(github.reactions()).toEqual([
      expect.objectContaining({ path: `/repos/${REPO}/issues/11/reactions`, body: { content: "eyes" } }),
    ]);
    // The comment follows the run, which does not wait for it.
    const tracking = await eventually(async () => commentsOn(11)[0]);
    expect(tracking.body).toContain("**Working on it…**");
    expect(tracking.body).toContain(`${app.base}/runs/${run.id}?sig=`);

    await releaseHeld();
    const done = await eventually(async () => (await runsOn(11)).find((r) => r.status === "succeeded"));
    // The run is marked done, then its tracking comment is edited a last time.
    const last = await eventually(async () => github.comments().find((c) => c.method === "PATCH" && c.body.includes("**Done**"))?.body);
    expect(last).toMatch(/✅ \*\*Done\*\* in \d+s · cost \$0\.00/);
    expect(last).toContain("✅ Write the code");
    expect(last).toContain("Changed one file.");
    expect(commentsOn(11)).toHaveLength(1); // edited in place, never posted twice
    for (const c of github.comments()) expect(c.body).not.toMatch(/ghs_|BEGIN RSA|intake-test-secret/);

    const json = (await (await fetch(app.runUrl(done.id))).json()) as { status: string; steps: unknown[] };
    expect(json).toMatchObject({ status: "succeeded", repo: REPO, number: 11 });
    expect(json.steps).toHaveLength(3);
  });

  it("queues nothing for a redelivered webhook", async () => {
    const id = randomUUID();
    await send("issues", labeled(12), id);
    await eventually(async () => (await runsOn(12)).length === 1);
    expect((await send("issues", labeled(12), id)).status).toBe(200);
    // Both deliveries have been through the intake job; only the first queued a trigger.
    await eventually(async () => (await jobsFor(id)).intake === 2);
    expect(await jobsFor(id)).toEqual({ intake: 2, trigger: 1 });
    expect(await runsOn(12)).toHaveLength(1);
  });

  it("answers a second implement trigger with the active run's link", async () => {
    await send("issues", labeled(13));
    const run = await eventually(async () => (await runsOn(13)).find((r) => r.status === "running"));
    await send("issue_comment", comment(13, "/ai implement please"));
    await eventually(async () => commentsOn(13).some((c) => c.body.includes("already active")));
    expect(commentsOn(13).find((c) => c.body.includes("already active"))!.body).toContain(`${app.base}/runs/${run.id}?sig=`);
    expect(await runsOn(13)).toHaveLength(1);
  });

  it("refuses people without write access once per issue, and queues nothing", async () => {
    github.permissions.set("visitor", "read");
    await send("issue_comment", comment(14, "/ai plan", "visitor"));
    await eventually(async () => commentsOn(14).length === 1);
    expect(commentsOn(14)[0]!.body).toContain("Sorry @visitor, only people with write access");
    await send("issue_comment", comment(14, "/ai implement", "visitor"));
    await send("issue_comment", comment(14, "/ai plan", "stranger")); // not a collaborator: 404
    await send("issues", labeled(14, "ai:implement", "stranger"));
    await sleep(800);
    // One reply per issue, whoever asks; and nothing else that writes: no 👀 first.
    expect(commentsOn(14).map((c) => c.body.match(/@(\w+)/)?.[1])).toEqual(["visitor"]);
    expect(github.reactions().filter((r) => r.path.includes("/14/") || r.path.includes("/comments/"))).toEqual([]);
    expect(await runsOn(14)).toEqual([]);
  });

  it("lets maintainers trigger, ignores bots unless allow-listed, and never reacts to itself", async () => {
    github.permissions.set("keeper", "maintain");
    await send("issue_comment", comment(15, "/ai plan", "keeper"));
    await eventually(async () => (await runsOn(15)).length === 1);

    github.permissions.set("renovate[bot]", "write");
    await send("issues", labeled(16, "ai:implement", "renovate[bot]", "Bot"));
    await send("issues", labeled(16, "ai:implement", "ai-agent[bot]", "Bot"));
    const own = comment(16, "/ai implement");
    // Only the id matters; GitHub's full App object has many more fields.
    (own.comment as { performed_via_github_app: unknown }).performed_via_github_app = { id: APP_ID };
    await send("issue_comment", own);
    await sleep(500);
    expect(await runsOn(16)).toEqual([]);
    expect(github.reactions().filter((r) => r.path.includes("/16/"))).toEqual([]);

    github.configFiles.set("master", "version: 1\ntriggers:\n  allow_bots: ['renovate[bot]']\n");
    await send("issues", labeled(16, "ai:implement", "renovate[bot]", "Bot"));
    await eventually(async () => (await runsOn(16)).length === 1);
  });

  it("replies to an unknown command with the valid ones, and to help", async () => {
    await send("issue_comment", comment(17, "/ai deploy"));
    await eventually(async () => commentsOn(17).length === 1);
    expect(commentsOn(17)[0]!.body).toBe(
      "`/ai deploy` is not a command I know. Valid commands: `/ai plan`, `/ai implement`, `/ai review`, `/ai ask`, `/ai fix-ci`, `/ai stop`, `/ai status`, `/ai help`.",
    );
    await send("issue_comment", comment(17, "> /ai implement\nquoted, so nothing happens"));
    await send("issue_comment", comment(17, "/ai help"));
    await eventually(async () => commentsOn(17).length === 2);
    expect(commentsOn(17)[1]!.body).toContain("`/ai implement`");
    expect(await runsOn(17)).toEqual([]);
  });

  it("reports an invalid config with file, line and column, and queues nothing", async () => {
    github.configFiles.set("master", "version: 1\ntriggers:\n  implement_label: 42\n");
    await send("issues", labeled(18));
    await eventually(async () => commentsOn(18).length === 1);
    expect(commentsOn(18)[0]!.body).toMatch(/`\.github\/ai-agent\.yml:3:\d+`/);
    expect(await runsOn(18)).toEqual([]);
    // Once per issue and version of the file, and never for someone without write access.
    github.permissions.set("visitor", "read");
    await send("issue_comment", comment(18, "/ai plan"));
    await send("issue_comment", comment(18, "/ai plan", "visitor"));
    await sleep(600);
    expect(commentsOn(18).map((c) => c.body.split("\n")[0])).toEqual([
      "**The ai-agent configuration is invalid, so nothing was started.**",
      expect.stringContaining("Sorry @visitor"),
    ]);
    github.configFiles.set("master", "version: 1\ntriggers:\n  implement_label: 43\n  commands: 7\n");
    await send("issue_comment", comment(18, "/ai plan"));
    await eventually(async () => commentsOn(18).length === 3);
    expect(github.reactions().filter((r) => r.path.includes("/18/"))).toEqual([]);
  });

  it("follows a custom implement label from the default branch", async () => {
    github.configFiles.set("master", "version: 1\ntriggers:\n  implement_label: robot\n");
    await send("issues", labeled(19)); // ai:implement is no longer the label
    await send("issues", labeled(19, "robot"));
    await eventually(async () => (await runsOn(19)).length === 1);
    await sleep(300);
    expect(await runsOn(19)).toHaveLength(1);
  });

  it("runs the workflow a workflow label names: ai:hotfix, or one the config adds", async () => {
    github.configFiles.delete("master");
    await send("issues", labeled(40, "ai:hotfix"));
    const hotfix = await eventually(async () => (await runsOn(40))[0]);
    expect(hotfix).toMatchObject({ task: "implement", trigger: "label", workflow: "hotfix" });
    await releaseHeld();
    await eventually(async () => (await runsOn(40))[0]?.status === "succeeded");

    github.configFiles.set("master", 'version: 1\ntriggers:\n  workflow_labels: { "ai:docs-only": docs }\n');
    await send("issues", labeled(41, "ai:hotfix")); // replaced by the written labels
    await send("issues", labeled(41, "ai:docs-only"));
    const docs = await eventually(async () => (await runsOn(41))[0]);
    expect(docs).toMatchObject({ task: "implement", workflow: "docs" });
    await releaseHeld();
    await eventually(async () => (await runsOn(41))[0]?.status === "succeeded");
    expect(await runsOn(41)).toHaveLength(1);
    github.configFiles.delete("master");
  });

  it("stops a run at its next step and says by whom; /ai status tells the state", async () => {
    await send("issues", labeled(20));
    const run = await eventually(async () => (await runsOn(20)).find((r) => r.steps.some((s) => s.id === "wait")));
    await send("issue_comment", comment(20, "/ai status"));
    await eventually(async () => commentsOn(20).some((c) => c.body.includes("running for")));
    expect(commentsOn(20).find((c) => c.body.includes("running for"))!.body).toContain("Wait for the test");

    await send("issue_comment", comment(20, "/ai stop"));
    await eventually(async () => commentsOn(20).some((c) => c.body.includes("Stopping the implement run")));
    await releaseHeld();
    const stopped = await eventually(async () => (await runsOn(20)).find((r) => r.status === "stopped"));
    expect(stopped.id).toBe(run.id);
    expect(stopped.steps.map((s) => s.id)).toEqual(["plan", "wait"]); // "code" never started
    const last = await eventually(async () => github.comments().find((c) => c.method === "PATCH" && c.body.includes("**Stopped**"))?.body);
    expect(last).toContain("🛑 **Stopped** by @Codertocat");
  });

  it("keeps one running and one pending review, the pending one for the newest head", async () => {
    github.pulls.set(30, { head: "sha-1", base: "master" });
    await send("pull_request", pushed(30, "sha-1", "opened"));
    await eventually(async () => (await runsOn(30)).find((r) => r.status === "running"));
    // Four pushes land; by the time their intake jobs run (in any order), GitHub's head is the last.
    github.pulls.set(30, { head: "sha-5", base: "master" });
    await Promise.all(["sha-2", "sha-3", "sha-4", "sha-5"].map((sha) => send("pull_request", pushed(30, sha))));
    await eventually(async () => (await runsOn(30)).find((r) => r.status === "queued" && r.headSha === "sha-5"));
    const runs = await runsOn(30);
    expect(runs.map((r) => [r.status, r.headSha])).toEqual([
      ["queued", "sha-5"],
      ["running", "sha-1"],
    ]);
    await releaseHeld();
    await eventually(async () => (await runsOn(30)).find((r) => r.headSha === "sha-5" && r.status === "running"));
    // A push event handled late, its head already under review, queues nothing.
    const late = randomUUID();
    await send("pull_request", pushed(30, "sha-4"), late);
    await eventually(async () => (await jobsFor(late)).trigger === 1);
    expect((await runsOn(30)).filter((r) => r.status === "queued")).toEqual([]);
    await releaseHeld();
    await eventually(async () => (await runsOn(30)).every((r) => r.status === "succeeded"));
    expect(await runsOn(30)).toHaveLength(2);
  });

  it("skips pull requests pushed by people without write access, without a reply", async () => {
    github.pulls.set(35, { head: "fork-head", base: "master" });
    const payload = pushed(35, "fork-head", "opened");
    payload.sender = { ...payload.sender, login: "outsider" };
    await send("pull_request", payload);
    await eventually(async () => github.requests.some((r) => r.path.endsWith("/collaborators/outsider/permission")));
    await sleep(300);
    expect(await runsOn(35)).toEqual([]);
    expect(commentsOn(35)).toEqual([]);
  });

  it("skips draft pull requests by default, and reads PR config from the base branch", async () => {
    github.pulls.set(31, { head: "d-2", base: "master" });
    await send("pull_request", pushed(31, "d-1", "opened", true));
    github.configFiles.set("master", "version: 1\ntriggers:\n  review:\n    events: [opened]\n");
    github.configFiles.set("feature", "version: 1\ntriggers:\n  review:\n    events: [synchronize]\n");
    await send("pull_request", pushed(31, "d-2", "synchronize"));
    await sleep(500);
    expect(await runsOn(31)).toEqual([]);
  });

  it("takes /ai review and /ai ask in a pull request's conversation, and says where other commands belong", async () => {
    github.pulls.set(33, { head: "head-of-33", base: "master" });
    await send("issue_comment", comment(33, "/ai review", "Codertocat", true));
    const review = await eventually(async () => (await runsOn(33)).find((r) => r.task === "review"));
    expect(review).toMatchObject({ kind: "pull_request", trigger: "command", headSha: "head-of-33" });
    await releaseHeld();

    await send("issue_comment", comment(33, "/ai ask", "Codertocat", true));
    await send("issue_comment", comment(33, "/ai plan", "Codertocat", true));
    await eventually(async () => commentsOn(33).length === 2);
    expect(commentsOn(33).map((c) => c.body).sort()).toEqual([
      "Ask a question after the command, for example `/ai ask why does the retry loop never end?`",
      "`/ai plan` works on issues, not pull requests.",
    ]);
    await send("issue_comment", comment(33, "/ai ask what does this change break?", "Codertocat", true));
    const ask = await eventually(async () => (await runsOn(33)).find((r) => r.task === "ask"));
    expect(ask.input).toBe("what does this change break?");
  });

  it("turns off commands the config turns off", async () => {
    github.configFiles.set("master", "version: 1\ntriggers:\n  commands: [plan, help]\n");
    await send("issue_comment", comment(34, "/ai implement"));
    await eventually(async () => commentsOn(34).length === 1);
    expect(commentsOn(34)[0]!.body).toContain("`/ai implement` is turned off for this repository");
    expect(await runsOn(34)).toEqual([]);
  });

  it("refuses forged and unsigned deliveries with a 4xx and queues nothing", async () => {
    const payload = labeled(32);
    const [forged, unsigned] = [randomUUID(), randomUUID()];
    expect((await deliver(app.webhookUrl, "issues", payload, "not-the-secret", forged)).status).toBeGreaterThanOrEqual(400);
    expect((await deliver(app.webhookUrl, "issues", payload, null, unsigned)).status).toBeGreaterThanOrEqual(400);
    await sleep(300);
    expect(await runsOn(32)).toEqual([]);
    expect(await app.database.store.knownDeliveries([forged, unsigned])).toEqual(new Set()); // not even recorded
    expect(github.requests).toEqual([]); // not even a permission check
  });
});

describe("triggers while every run slot is busy", () => {
  let app: TestApp;
  let github: FakeGitHub;
  const send = (event: string, payload: unknown) => deliver(app.webhookUrl, event, payload, WEBHOOK_SECRET);
  const runsOn = (number: number) => app.database.store.listRuns({ repo: REPO, number });

  appPerSuite({ concurrency: 1 }, (started) => (app = started), (fake) => (github = fake));

  it("still reacts, queues and answers /ai status at once: the intake has slots of its own", async () => {
    await send("issues", labeled(70));
    await eventually(async () => waiting.size > 0); // the one run slot is taken, until released
    await send("issues", labeled(71));
    await eventually(async () => github.reactions().some((r) => r.path.endsWith("/issues/71/reactions")), 5_000);
    await eventually(async () => (await runsOn(71))[0]?.status === "queued", 5_000);
    expect(await runsOn(71)).toHaveLength(1);
    await send("issue_comment", comment(71, "/ai status"));
    const status = await eventually(async () => github.comments().find((c) => c.path.endsWith("/issues/71/comments"))?.body, 5_000);
    expect(status).toContain("queued");

    release();
    await eventually(async () => (await runsOn(71))[0]?.status === "running");
    await releaseHeld();
    await eventually(async () => (await runsOn(71))[0]?.status === "succeeded");
  });
});

describe("triggers per person and hour", () => {
  let app: TestApp;
  let github: FakeGitHub;
  const send = (event: string, payload: unknown) => deliver(app.webhookUrl, event, payload, WEBHOOK_SECRET);
  const runsOn = (number: number) => app.database.store.listRuns({ repo: REPO, number });
  const commentsOn = (number: number) => github.comments().filter((c) => c.method === "POST" && c.path.endsWith(`/issues/${number}/comments`));
  const clock = (at: Date) => at.toISOString().slice(11, 16);

  appPerSuite({ triggerRateLimitPerHour: 3 }, (started) => (app = started), (fake) => (github = fake));

  it("starts at most the server's limit of runs for one person, replies once, and counts only what would queue a run", async () => {
    // The windows are clock hours: keep the test inside one.
    const left = 3_600_000 - (Date.now() % 3_600_000);
    if (left < 30_000) await sleep(left + 100);
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    github.permissions.set("keeper", "maintain");
    for (const number of [81, 82, 83]) await send("issue_comment", comment(number, "/ai plan"));
    await eventually(async () => (await Promise.all([81, 82, 83].map(runsOn))).every((runs) => runs.length === 1));
    // Help, status and a busy reply queue nothing, so they are not counted.
    await send("issue_comment", comment(81, "/ai help"));
    await send("issue_comment", comment(82, "/ai status"));
    await eventually(async () => commentsOn(81).length === 1 && commentsOn(82).length === 1);

    await send("issue_comment", comment(84, "/ai plan"));
    await eventually(async () => commentsOn(84).length === 1);
    expect(commentsOn(84)[0]!.body).toBe(
      `Sorry @Codertocat, you have started 3 runs in this repository since ${clock(new Date(hour))} UTC; the limit is 3 an hour. Try again after ${clock(new Date(hour + 3_600_000))} UTC.`,
    );
    // Once per window: later triggers by the same person queue nothing and get no second reply.
    await send("issues", labeled(85));
    await send("issue_comment", comment(86, "/ai ask why?"));
    await sleep(800);
    expect(commentsOn(85)).toEqual([]);
    expect(commentsOn(86)).toEqual([]);
    for (const number of [84, 85, 86]) expect(await runsOn(number)).toEqual([]);
    // Another person's window is their own.
    await send("issue_comment", comment(87, "/ai plan", "keeper"));
    await eventually(async () => (await runsOn(87)).length === 1);
  });

  it("lets a repository set a lower limit, never a higher one", async () => {
    github.permissions.set("mona", "write");
    github.permissions.set("hubot", "write");
    github.configFiles.set("master", "version: 1\ntriggers:\n  rate_limit_per_hour: 1\n");
    await send("issue_comment", comment(91, "/ai plan", "mona"));
    await eventually(async () => (await runsOn(91)).length === 1);
    await send("issue_comment", comment(92, "/ai plan", "mona"));
    await eventually(async () => commentsOn(92).length === 1);
    expect(commentsOn(92)[0]!.body).toMatch(/^Sorry @mona, you have started 1 run in this repository since \d\d:00 UTC; the limit is 1 an hour\. Try again after \d\d:00 UTC\.$/);
    expect(await runsOn(92)).toEqual([]);

    github.configFiles.set("master", "version: 1\ntriggers:\n  rate_limit_per_hour: 50\n");
    // Intake jobs run concurrently, so which of the four comes last is not known: one of them is.
    const numbers = [93, 94, 95, 96];
    for (const number of numbers) await send("issue_comment", comment(number, "/ai plan", "hubot"));
    const refused = await eventually(async () => numbers.find((n) => commentsOn(n).some((c) => c.body.includes("the limit is 3 an hour"))));
    expect(await runsOn(refused)).toEqual([]);
    for (const number of numbers.filter((n) => n !== refused)) await eventually(async () => (await runsOn(number)).length === 1);
  });
});
