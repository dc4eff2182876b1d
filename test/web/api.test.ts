import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NewRun, Run } from "../../src/core/run.js";
import type { Database } from "../../src/store/open.js";
import { runList, runSteps, runView, stopAnswer, usageReport } from "../../src/web/api/schemas.js";
import { type TestDatabase, freshPostgres } from "../helpers/databases.js";
import { READER, REFUSED, WRITER, githubFor, serveApi, writerSession } from "./api-support.js";

/**
 * /api/v1 over real HTTP against a real PostgreSQL store seeded with runs across repositories:
 * a person sees, pages through, opens and sums only what GitHub says they may read, and stops a
 * run only where they may push.
 */

describe("REST API /api/v1", () => {
  let database: TestDatabase;
  let opened: Database;
  let api: { base: string; close: () => Promise<void> };
  let github: ReturnType<typeof githubFor>;
  const runs: Run[] = [];
  const tick = () => new Promise((resolve) => setTimeout(resolve, 3));

  const call = (path: string, options: { token?: string; cookie?: string; method?: string } = {}) =>
    fetch(`${api.base}${path}`, {
      method: options.method ?? "GET",
      headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(options.cookie ? { cookie: options.cookie } : {}) },
    });
  const json = async (path: string, options: Parameters<typeof call>[1] = { token: WRITER }) => {
    const response = await call(path, options);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const ids = (list: readonly { id: string }[]) => list.map((run) => run.id);
  /** What the writer may read, newest first. */
  const visible = (keep: (run: Run) => boolean = () => true) => [...runs].reverse().filter((run) => run.repo !== "acme/secret" && keep(run));

  beforeAll(async () => {
    database = await freshPostgres();
    opened = await database.open();
    const base = { number: 1, kind: "issue", task: "implement", trigger: "label", actor: "octocat", installationId: 1 } as const;
    const specs: (Partial<NewRun> & { repo: string })[] = [
      { repo: "acme/widgets" },
      { repo: "acme/secret" },
      { repo: "acme/gadgets", task: "plan", actor: "hubot" },
      { repo: "acme/widgets", task: "review", kind: "pull_request", trigger: "pull_request", actor: "Hubot" },
      { repo: "acme/secret", task: "plan" },
      { repo: "acme/widgets", task: "ask", trigger: "command" },
      { repo: "acme/gadgets" },
      { repo: "acme/widgets", actor: "monalisa" },
    ];
    for (const [index, spec] of specs.entries()) {
      runs.push(await opened.store.createRun({ ...base, ...spec, number: 10 + index }));
      await tick();
    }
    runs[0] = (await opened.store.updateRun(runs[0]!.id, { status: "succeeded", finishedAt: new Date() }))!;
    runs[6] = (await opened.store.updateRun(runs[6]!.id, { status: "running", startedAt: new Date() }))!;
    api = await serveApi(opened.store);
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    github = githubFor();
  });
  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await api.close();
    await opened.close();
    await database.dispose();
  });

  it("answers 401 with where to sign in when there are no credentials, or GitHub refuses the token", async () => {
    for (const [path, method] of [["/api/v1/runs", "GET"], [`/api/v1/runs/${runs[0]!.id}`, "GET"], [`/api/v1/runs/${runs[0]!.id}/steps`, "GET"], ["/api/v1/usage", "GET"], [`/api/v1/runs/${runs[5]!.id}/stop`, "POST"]] as const) {
      const { status, body } = await json(path, { method });
      expect(status, path).toBe(401);
      expect(body.error).toContain("sign in with GitHub");
      expect(body.sign_in).toBe("/login?next=%2F");
    }
    expect(await json("/api/v1/runs", { token: REFUSED })).toMatchObject({ status: 401, body: { error: "GitHub did not accept this token" } });
    const basic = await fetch(`${api.base}/api/v1/runs`, { headers: { authorization: "Basic b2N0b2NhdDpwdw==" } });
    expect(basic.status).toBe(401);
    expect((await json(`/api/v1/runs/${runs[5]!.id}`)).status).toBe(200);
  });

  it("lists only runs of repositories the person may read, newest first, by bearer token or session", async () => {
    const { status, body } = await json("/api/v1/runs");
    expect(status).toBe(200);
    const list = runList.parse(body);
    expect(ids(list.runs)).toEqual(ids(visible()));
    expect(list.nextCursor).toBeNull();
    const bySession = runList.parse((await json("/api/v1/runs", { cookie: writerSession() })).body);
    expect(ids(bySession.runs)).toEqual(ids(visible()));
    // hubot reads acme/widgets only.
    expect(ids(runList.parse((await json("/api/v1/runs", { token: READER })).body).runs)).toEqual(ids(visible((run) => run.repo === "acme/widgets")));
  });

  it("filters by repository, task, status, actor and creation time", async () => {
    const list = async (query: string) => ids(runList.parse((await json(`/api/v1/runs?${query}`)).body).runs);
    expect(await list("repo=ACME/gadgets")).toEqual(ids(visible((run) => run.repo === "acme/gadgets")));
    expect(await list("repo=acme/secret")).toEqual([]);
    expect(await list("task=plan")).toEqual(ids(visible((run) => run.task === "plan")));
    expect(await list("status=running")).toEqual([runs[6]!.id]);
    expect(await list("actor=hubot")).toEqual(ids(visible((run) => run.actor.toLowerCase() === "hubot")));
    const middle = runs[4]!.createdAt;
    expect(await list(`since=${middle.toISOString()}`)).toEqual(ids(visible((run) => run.createdAt >= middle)));
    expect(await list(`until=${encodeURIComponent(middle.toISOString())}`)).toEqual(ids(visible((run) => run.createdAt < middle)));
    expect(await list("since=2000-01-01&until=2001-01-01")).toEqual([]);
    expect(await list("repo=acme/widgets&task=implement&actor=monalisa")).toEqual([runs[7]!.id]);
  });

  it("pages through every readable run without duplicates or gaps", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = runList.parse((await json(`/api/v1/runs?limit=2${cursor ? `&cursor=${cursor}` : ""}`)).body);
      expect(page.runs.length).toBeLessThanOrEqual(2);
      seen.push(...ids(page.runs));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids(visible()));
  });

  it("names the bad parameter with a 400", async () => {
    const error = async (query: string) => {
      const { status, body } = await json(`/api/v1/runs?${query}`);
      expect(status, query).toBe(400);
      return body.error as string;
    };
    expect(await error("limit=0")).toMatch(/^bad parameter `limit`/);
    expect(await error("limit=101")).toMatch(/^bad parameter `limit`/);
    expect(await error("limit=ten")).toMatch(/^bad parameter `limit`/);
    expect(await error("status=finished")).toMatch(/^bad parameter `status`/);
    expect(await error("since=yesterday")).toMatch(/^bad parameter `since`/);
    expect(await error("cursor=bm90IGEgY3Vyc29y")).toMatch(/^bad parameter `cursor`/);
    expect(await error("stauts=queued")).toBe("unknown parameter `stauts`");
    for (const [path, name] of [["/api/v1/runs/not-a-run", "id"], ["/api/v1/usage?until=soon", "until"]]) {
      const { status, body } = await json(path!);
      expect(status, path).toBe(400);
      expect(body.error).toMatch(new RegExp(`^bad parameter \`${name}\``));
    }
  });

  it("opens a readable run, and answers 404 for one of another repository as for none", async () => {
    const { status, body } = await json(`/api/v1/runs/${runs[2]!.id}`);
    expect(status).toBe(200);
    expect(runView.parse(body)).toMatchObject({ id: runs[2]!.id, repo: "acme/gadgets", task: "plan" });
    for (const path of [`/api/v1/runs/${runs[1]!.id}`, `/api/v1/runs/${runs[1]!.id}/steps`, "/api/v1/runs/00000000-0000-4000-8000-000000000000"]) {
      expect(await json(path)).toEqual({ status: 404, body: { error: "run not found" } });
    }
    expect((await json(`/api/v1/runs/${runs[2]!.id}`, { token: READER })).status).toBe(404);
  });

  it("serves a run's steps with their durations and its model calls as turns", async () => {
    const run = runs[0]!;
    await opened.store.updateRun(run.id, {
      steps: [
        { id: "plan", status: "succeeded", attempts: 1, startedAt: new Date("2026-11-02T10:00:00Z"), finishedAt: new Date("2026-11-02T10:00:30Z") },
        { id: "implement", status: "succeeded", attempts: 1, startedAt: new Date("2026-11-02T10:00:30Z"), finishedAt: new Date("2026-11-02T10:02:00Z"), outputs: { summary: "done" } },
        { id: "review", status: "skipped", attempts: 0, note: "no changes" },
      ],
    });
    const usage = { runId: run.id, repo: run.repo, model: "claude-sonnet-4-5", inputTokens: 1200, outputTokens: 300, costMicros: 8100 };
    await opened.store.addUsage({ ...usage, at: new Date("2026-11-02T10:00:10Z") });
    await opened.store.addUsage({ ...usage, at: new Date("2026-11-02T10:01:00Z"), cacheReadTokens: 900 });
    const { status, body } = await json(`/api/v1/runs/${run.id}/steps`);
    expect(status).toBe(200);
    const view = runSteps.parse(body);
    expect(view.steps.map((step) => [step.id, step.durationMs])).toEqual([["plan", 30_000], ["implement", 90_000], ["review", null]]);
    expect(view.steps[1]!.outputs).toEqual({ summary: "done" });
    expect(view.turns.map((turn) => [turn.step, turn.costMicros, turn.cacheReadTokens])).toEqual([["plan", 8100, 0], ["implement", 8100, 900]]);
  });

  it("sums usage over readable repositories only, by repository and month, task and person", async () => {
    const entry = (runIndex: number, costMicros: number, at: string) => ({ runId: runs[runIndex]!.id, repo: runs[runIndex]!.repo, model: "claude-sonnet-4-5", inputTokens: 10, outputTokens: 1, costMicros, at: new Date(at) });
    await opened.store.addUsage(entry(2, 500, "2026-10-05T00:00:00Z"));
    await opened.store.addUsage(entry(3, 70, "2026-10-06T00:00:00Z"));
    await opened.store.addUsage(entry(1, 999_999, "2026-10-05T00:00:00Z"));
    await opened.store.addUsage(entry(4, 999_999, "2026-11-05T00:00:00Z"));
    const report = usageReport.parse((await json("/api/v1/usage")).body);
    // acme/widgets' two turns of November (previous test), gadgets' plan and widgets' review in October; no acme/secret.
    expect(report.total).toMatchObject({ costMicros: 16_200 + 500 + 70, calls: 4 });
    expect(report.byRepoMonth.map(({ repo, month, costMicros }) => ({ repo, month, costMicros }))).toEqual([
      { repo: "acme/gadgets", month: "2026-10", costMicros: 500 },
      { repo: "acme/widgets", month: "2026-10", costMicros: 70 },
      { repo: "acme/widgets", month: "2026-11", costMicros: 16_200 },
    ]);
    expect(Object.fromEntries(report.byTask.map((t) => [t.task, t.costMicros]))).toEqual({ plan: 500, review: 70, implement: 16_200 });
    expect(Object.fromEntries(report.byPerson.map((p) => [p.actor, p.costMicros]))).toEqual({ hubot: 570, octocat: 16_200 });
    const october = usageReport.parse((await json("/api/v1/usage?since=2026-10-01&until=2026-11-01&repo=acme/widgets")).body);
    expect(october.total.costMicros).toBe(70);
    expect(usageReport.parse((await json("/api/v1/usage", { token: READER })).body).total.costMicros).toBe(16_200 + 70);
  });

  it("stops a run for a person who may push, and refuses one who may only read", async () => {
    const queued = runs[5]!;
    const before = github.pushes();
    expect(await json(`/api/v1/runs/${queued.id}/stop`, { token: READER, method: "POST" })).toEqual({ status: 403, body: { error: "stopping a run needs write access to acme/widgets" } });
    expect((await opened.store.getRun(queued.id))!).toMatchObject({ status: "queued" });
    expect((await opened.store.getRun(queued.id))!.stopRequestedBy).toBeUndefined();

    const { status, body } = await json(`/api/v1/runs/${queued.id}/stop`, { token: WRITER, method: "POST" });
    expect(status).toBe(200);
    expect(stopAnswer.parse(body)).toMatchObject({ stopped: true, run: { status: "stopped", stopRequestedBy: "octocat" } });
    expect((await opened.store.getRun(queued.id))!).toMatchObject({ status: "stopped", stopRequestedBy: "octocat" });
    // Asked of GitHub on each stop, never kept.
    expect(github.pushes() - before).toBe(2);

    const running = runs[6]!;
    const stopping = await json(`/api/v1/runs/${running.id}/stop`, { cookie: writerSession(), method: "POST" });
    expect(stopAnswer.parse(stopping.body)).toMatchObject({ stopped: false, run: { status: "running", stopRequestedBy: "octocat" } });
    expect(await json(`/api/v1/runs/${runs[0]!.id}/stop`, { method: "POST", token: WRITER })).toEqual({ status: 409, body: { error: "the run is already succeeded" } });
    expect((await json(`/api/v1/runs/${runs[1]!.id}/stop`, { method: "POST", token: WRITER })).status).toBe(404);
    expect((await json(`/api/v1/runs/${queued.id}/stop`)).status).toBe(405);
    expect((await json("/api/v1/nothing")).status).toBe(404);
  });
});
