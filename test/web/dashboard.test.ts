import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Run } from "../../src/core/run.js";
import { JobQueue } from "../../src/runs/queue.js";
import { type DashboardRig, startDashboardRig } from "../helpers/dashboard-rig.js";

/**
 * The dashboard's pages over real HTTP, through the whole app, signed in through the OAuth flow of
 * a local fake GitHub: who sees what, the stop form and its guards, escaping of what repositories
 * and people wrote, the live stream, and the usage page.
 */

const HTML = { accept: "text/html,application/xhtml+xml" };

describe("the dashboard", () => {
  let rig: DashboardRig;
  let widgets: Run;
  let secret: Run;
  let plan: Run;
  let mona: string;
  let hubot: string;
  let stranger: string;

  beforeAll(async () => {
    rig = await startDashboardRig([
      { login: "mona", id: 1, repos: ["acme/widgets"], push: ["acme/widgets"] },
      { login: "hubot", id: 2, repos: ["acme/widgets"] },
      { login: "stranger", id: 3, repos: [] },
    ]);
    const store = rig.app.database.store;
    const base = { installationId: 4711, kind: "issue" as const, trigger: "label" as const };
    widgets = await store.createRun({ ...base, repo: "acme/widgets", number: 1, task: "implement", actor: "mona", input: `<script>alert("x")</script> please` });
    await store.updateRun(widgets.id, { links: { pull_request: "javascript:alert(1)", branch: "ai/issue-1", slackThread: "https://slack.com/archives/C0CRASH01/p1700000000000100", jiraIssue: "https://acme.atlassian.net/browse/ENG-12" } });
    plan = await store.createRun({ ...base, repo: "acme/widgets", number: 2, task: "plan", trigger: "command", actor: "hubot" });
    secret = await store.createRun({ ...base, repo: "acme/secret", number: 3, task: "implement", actor: "mona" });
    mona = await rig.signIn("mona");
    hubot = await rig.signIn("hubot");
    stranger = await rig.signIn("stranger");
  }, 60_000);
  afterAll(() => rig?.close());

  const get = (path: string, cookie?: string, headers: Record<string, string> = HTML) => fetch(`${rig.app.base}${path}`, { redirect: "manual", headers: { ...headers, ...(cookie ? { cookie } : {}) } });
  const post = (path: string, cookie: string | undefined, form: Record<string, string>) =>
    fetch(`${rig.app.base}${path}`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) }, body: new URLSearchParams(form).toString() });
  const secretRunId = () => secret.id;
  const csrfOf = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? "";

  it("sends anyone not signed in to sign in, and shows them nothing", async () => {
    for (const path of ["/runs", `/runs/${widgets.id}`, `/runs/${widgets.id}/live`, "/usage", "/runs?repo=acme/widgets"]) {
      const response = await get(path);
      expect(response.status, path).toBe(302);
      expect(response.headers.get("location"), path).toBe(`/login?next=${encodeURIComponent(path)}`);
      expect(await response.text()).toBe("");
    }
    const stop = await post(`/runs/${widgets.id}/stop`, undefined, { csrf: "x" });
    expect(stop.status).toBe(401);
    expect(await stop.text()).not.toContain("acme/widgets");
    expect((await get("/")).headers.get("location")).toBe("/runs");
  });

  it("lists only the runs of repositories the person can read, with filters", async () => {
    const page = await get("/runs", mona);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const text = await page.text();
    expect(text).toContain(`href="/runs/${widgets.id}"`);
    expect(text).toContain(`href="/runs/${plan.id}"`);
    expect(text).not.toContain(secret.id);
    expect(text).not.toContain("acme/secret");
    const plans = await (await get("/runs?task=plan&repo=&status=", mona)).text();
    expect(plans).toContain(plan.id);
    expect(plans).not.toContain(widgets.id);
    const bad = await (await get("/runs?since=yesterday", mona)).text();
    expect(bad).toContain("These filters could not be applied: bad parameter &#96;since&#96;: expected a date such as 2026-11-01");
  });

  it("shows a person without access that there is nothing for them, and no run", async () => {
    const list = await (await get("/runs", stranger)).text();
    expect(list).toContain("You cannot read any repository this app is installed on");
    expect(list).not.toContain(widgets.id);
    expect((await get(`/runs/${widgets.id}`, stranger)).status).toBe(404);
    expect((await get(`/runs/${widgets.id}/live`, stranger)).status).toBe(404);
  });

  it("escapes what people wrote and never links to a script", async () => {
    // A command's output as a repository's script could print it: markup, and a token of another service.
    await rig.app.database.store.appendRunEvents(widgets.id, [
      { seq: 1, at: new Date(), step: "code", kind: "command", name: "test", summary: "npm test", output: `<img src=x onerror=alert(1)> AKIAIOSFODNN7EXAMPLE ghp_${"a".repeat(36)}`, exitCode: 1, durationMs: 900, truncated: false },
    ]);
    const page = await (await get(`/runs/${widgets.id}`, mona)).text();
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(page).not.toContain(`ghp_${"a".repeat(36)}`);
    expect(page).toContain("exit 1");
    expect(page).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; please");
    expect(page).not.toContain(`<script>alert`);
    expect(page).not.toContain("javascript:");
    expect(page).toContain(`href="http://${rig.github.host}/acme/widgets/tree/ai/issue-1"`);
    expect(page).toMatch(/href="https:\/\/slack\.com\/archives\/C0CRASH01\/p1700000000000100"[^>]*>Slack thread</);
    expect(page).toMatch(/href="https:\/\/acme\.atlassian\.net\/browse\/ENG-12"[^>]*>Jira issue</);
    expect(page).toContain(`href="http://${rig.github.host}/acme/widgets/issues/1"`);
  });

  it("offers the stop button to people who may push, and stops the run only from the page's own form", async () => {
    const forReader = await (await get(`/runs/${plan.id}`, hubot)).text();
    expect(forReader).not.toContain("Stop run");
    const page = await (await get(`/runs/${plan.id}`, mona)).text();
    expect(page).toContain("Stop run");
    // A form from elsewhere carries no token of this session: refused, and the run goes on.
    expect((await post(`/runs/${plan.id}/stop`, mona, { csrf: "forged" })).status).toBe(403);
    expect((await post(`/runs/${plan.id}/stop`, mona, { csrf: csrfOf(forReader) })).status).toBe(403);
    expect((await rig.app.database.store.getRun(plan.id))?.status).toBe("queued");
    // Someone who may read but not push is refused by GitHub's word, even with a good token.
    const refused = await post(`/runs/${plan.id}/stop`, hubot, { csrf: csrfOf(forReader) });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("stopping a run needs write access to acme/widgets");
    const stopped = await post(`/runs/${plan.id}/stop`, mona, { csrf: csrfOf(page) });
    expect(stopped.status).toBe(303);
    expect(stopped.headers.get("location")).toBe(`/runs/${plan.id}?flash=stopped`);
    expect(await rig.app.database.store.getRun(plan.id)).toMatchObject({ status: "stopped", stopRequestedBy: "mona" });
    const after = await (await get(`/runs/${plan.id}?flash=stopped`, mona)).text();
    expect(after).toContain("Stopped: the run had not started.");
    expect(after).not.toContain("Stop run");
  });

  it("shows failed jobs of readable repositories, with Retry only for admins, and refuses a retry from anyone else", async () => {
    const jobs = new JobQueue(rig.app.database, { concurrency: 1, lockLifetimeMs: 60_000, pollMs: 100 });
    jobs.define("sync_labels", () => Promise.reject(new Error("labels could not be synced")));
    await jobs.start();
    const mine = await jobs.enqueue("sync_labels", { owner: "acme", repo: "widgets", number: 2 });
    const theirs = await jobs.enqueue("sync_labels", { owner: "acme", repo: "secret", number: 3 });
    for (let i = 0; i < 100; i++) {
      const [a, b] = await Promise.all([rig.app.database.queueJobs.job(mine), rig.app.database.queueJobs.job(theirs)]);
      if (a?.failCount === 1 && b?.failCount === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await jobs.drain(5_000);
    const page = await (await get("/queue", hubot)).text();
    expect(page).toContain("labels could not be synced");
    expect(page).not.toContain("acme/secret");
    expect(page).toContain("admins only");
    expect(page).not.toContain(`action="/queue/jobs/${mine}/retry"`);
    const refused = await post(`/queue/jobs/${mine}/retry`, hubot, { csrf: csrfOf(page), failCount: "1" });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("retrying a job needs admin permission on acme/widgets");
    expect((await post(`/queue/jobs/${theirs}/retry`, hubot, { csrf: csrfOf(page), failCount: "1" })).status).toBe(404);
    expect((await rig.app.database.queueJobs.job(mine))?.failCount).toBe(1);
  });

  it("issues an API token from the page, shows its secret once, and revokes it", async () => {
    const page = await (await get("/tokens", mona)).text();
    expect(page).toContain("You have no API token.");
    const csrf = csrfOf(page);
    const form = (fields: Record<string, string | string[]>) => {
      const body = new URLSearchParams();
      for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(name, v);
      return body;
    };
    const send = (path: string, fields: Record<string, string | string[]>) =>
      fetch(`${rig.app.base}${path}`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded", cookie: mona }, body: form(fields).toString() });
    // From another site's form: refused, and nothing issued.
    const forged = await send("/tokens", { csrf: "forged", name: "evil", scopes: "runs:read" });
    expect(forged.status).toBe(403);
    expect(await forged.text()).not.toMatch(/aia_[A-Za-z0-9_-]{20,}/);
    const bad = await (await send("/tokens", { csrf, name: "", scopes: "runs:read" })).text();
    expect(bad).toContain("No token was issued: bad parameter &#96;name&#96;: give the token a name");
    const issued = await send("/tokens", { csrf, name: "nightly report", scopes: ["runs:read", "usage:read"], expiresInDays: "30" });
    expect(issued.status).toBe(201);
    const secret = /<pre data-secret>(aia_[A-Za-z0-9_-]+)<\/pre>/.exec(await issued.text())?.[1];
    expect(secret).toBeDefined();
    const listed = await (await get("/tokens", mona)).text();
    expect(listed).toContain("nightly report");
    expect(listed).not.toContain(secret!);
    // The token reads what mona may read, and no more.
    const runs = await fetch(`${rig.app.base}/api/v1/runs`, { headers: { authorization: `Bearer ${secret!}` } });
    expect(runs.status).toBe(200);
    const ids = ((await runs.json()) as { runs: { id: string }[] }).runs.map((run) => run.id);
    expect(ids).toContain(widgets.id);
    expect(ids).not.toContain(secretRunId());
    const tokenId = /action="\/tokens\/([0-9a-f-]{36})\/revoke"/.exec(listed)?.[1];
    const revoked = await send(`/tokens/${tokenId!}/revoke`, { csrf });
    expect(revoked.status).toBe(303);
    expect((await fetch(`${rig.app.base}/api/v1/runs`, { headers: { authorization: `Bearer ${secret!}` } })).status).toBe(401);
    // The page does not take an API token in place of a session.
    expect((await fetch(`${rig.app.base}/runs`, { redirect: "manual", headers: { ...HTML, authorization: `Bearer ${secret!}` } })).status).toBe(302);
  });

  it("still answers other clients at a run's signed link with its JSON", async () => {
    const link = new URL(rig.app.runUrl(widgets.id));
    const response = await fetch(`${rig.app.base}${link.pathname}${link.search}`, { headers: { accept: "application/json" } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: widgets.id, repo: "acme/widgets" });
  });

  it("streams a running run's changes, and ends when it finishes", async () => {
    const store = rig.app.database.store;
    const run = await store.createRun({ repo: "acme/widgets", installationId: 4711, number: 9, kind: "issue", task: "implement", trigger: "label", actor: "mona" });
    await store.updateRun(run.id, { status: "running", startedAt: new Date() });
    const controller = new AbortController();
    const response = await fetch(`${rig.app.base}/runs/${run.id}/live`, { headers: { cookie: mona }, signal: controller.signal });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let seen = "";
    const until = async (text: string) => {
      while (!seen.includes(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${text}: ${seen.slice(-500)}`);
        seen += decoder.decode(value, { stream: true });
      }
    };
    await until("event: update");
    await store.updateRun(run.id, { steps: [{ id: "write_code", name: "Write the code", status: "running", attempts: 1, startedAt: new Date() }] });
    await until("Write the code");
    await store.updateRun(run.id, { status: "succeeded", finishedAt: new Date(), steps: [{ id: "write_code", name: "Write the code", status: "succeeded", attempts: 1, startedAt: new Date(Date.now() - 2000), finishedAt: new Date() }] });
    await until("event: end");
    expect(seen).toMatch(/data: .*s-succeeded/);
    controller.abort();
  });

  it("shows spend by month, repository, task and person against the repository's budget", async () => {
    const store = rig.app.database.store;
    const month = new Date().toISOString().slice(0, 7);
    await store.addUsage({ runId: widgets.id, repo: "acme/widgets", model: "claude-sonnet-5-5", inputTokens: 12_000, outputTokens: 900, costMicros: 420_000 });
    await store.addUsage({ runId: secret.id, repo: "acme/secret", model: "claude-sonnet-5-5", inputTokens: 99_000, outputTokens: 9_900, costMicros: 9_990_000 });
    await store.reserveBudget([{ key: `repo:acme/widgets:${month}`, limitMicros: 25_000_000, amountMicros: 0, initialMicros: 420_000 }]);
    const page = await (await get("/usage", mona)).text();
    expect(page).toContain("Spend this month against each repository");
    expect(page).toContain("$0.42 / $25.00");
    expect(page).toContain("12,000");
    expect(page).not.toContain("acme/secret");
    expect(page).not.toContain("$9.99");
    expect(page).toMatch(/Cost by task[\s\S]*implement/);
    expect(page).toMatch(/Cost by person[\s\S]*mona/);
  });
});
