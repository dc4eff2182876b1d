import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobQueue } from "../../src/runs/queue.js";
import type { Database } from "../../src/store/open.js";
import { queueOverviewView, retryAnswer } from "../../src/web/api/schemas.js";
import { type TestDatabase, freshPostgres } from "../helpers/databases.js";
import { APP_ID, READER, WRITER, githubFor, serveApi } from "./api-support.js";

/**
 * /api/v1/queue over real HTTP with a real queue on PostgreSQL: a person sees the failed jobs of the
 * repositories GitHub says they read, a DASHBOARD_ADMINS login sees all of them; a retry needs
 * admin permission on the job's repository (GitHub's answer to the person's own token) or that
 * list, and a double click retries once.
 */

const REPO_ADMIN = "gho_3b8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b";
const SITE_ADMIN = "gho_4c9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c";

/** GitHub's answers for two more people: monalisa administers acme/widgets; Hubber reads nothing. */
function moreGitHub(): { adminChecks: () => number } {
  let adminChecks = 0;
  const installations = { total_count: 1, installations: [{ id: 1, app_id: APP_ID, account: { login: "acme" } }] };
  const repos = (...names: string[]) => ({ total_count: names.length, repositories: names.map((full_name, id) => ({ id, full_name, private: true })) });
  const permissions = (admin: boolean) => ({ admin, maintain: admin, push: true, triage: true, pull: true });
  nock("https://api.github.com", { reqheaders: { authorization: `Bearer ${REPO_ADMIN}` } })
    .persist()
    .get("/user")
    .reply(200, { login: "monalisa", id: 2001, type: "User" })
    .get("/user/installations")
    .query(true)
    .reply(200, installations)
    .get("/user/installations/1/repositories")
    .query(true)
    .reply(200, repos("acme/widgets", "acme/gadgets"))
    .get(/^\/repos\/acme\/[\w.-]+$/)
    .reply((uri) => {
      adminChecks++;
      const name = uri.split("/").pop();
      return [200, { full_name: `acme/${name}`, private: true, permissions: permissions(name === "widgets") }];
    });
  nock("https://api.github.com", { reqheaders: { authorization: `Bearer ${SITE_ADMIN}` } })
    .persist()
    .get("/user")
    .reply(200, { login: "Hubber", id: 2002, type: "User" })
    .get("/user/installations")
    .query(true)
    .reply(200, { total_count: 0, installations: [] });
  return { adminChecks: () => adminChecks };
}

describe("REST API /api/v1/queue", () => {
  let database: TestDatabase;
  let opened: Database;
  let queue: JobQueue;
  let api: { base: string; close: () => Promise<void> };
  let github: ReturnType<typeof moreGitHub>;
  const attempts = new Map<string, number>();
  const ids: Record<"widgets" | "secret" | "none", string> = { widgets: "", secret: "", none: "" };

  const json = async (path: string, token: string, method = "GET") => {
    const response = await fetch(`${api.base}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const failed = async (token: string) => queueOverviewView.parse((await json("/api/v1/queue", token)).body).failed;
  const until = async <T>(read: () => Promise<T | undefined>, what: string): Promise<T> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const value = await read();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const failedOnce = (id: string) => until(async () => ((await opened.queueJobs.job(id))?.failCount === 1 ? true : undefined), `job ${id} to fail`);

  beforeAll(async () => {
    database = await freshPostgres();
    opened = await database.open();
    queue = new JobQueue(opened, { concurrency: 2, lockLifetimeMs: 60_000, pollMs: 50 });
    await queue.ready();
    // Fails its first attempt and succeeds its second.
    queue.define<{ key: string }>("flaky", async ({ key }) => {
      const attempt = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, attempt);
      if (attempt === 1) throw new Error(`${key}: the first attempt fails`);
    });
    await queue.start();
    // One after another, so their failures are in a known order.
    ids.widgets = await queue.enqueue("flaky", { key: "widgets", owner: "acme", repo: "widgets", number: 5 });
    await failedOnce(ids.widgets);
    ids.secret = await queue.enqueue("flaky", { key: "secret", owner: "acme", repo: "secret", number: 1 });
    await failedOnce(ids.secret);
    ids.none = await queue.enqueue("flaky", { key: "none" });
    await failedOnce(ids.none);
    api = await serveApi(opened.store, { jobs: opened.queueJobs, admins: ["hubber"] });
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    githubFor();
    github = moreGitHub();
  });

  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await api?.close();
    await queue?.drain(5_000);
    await opened?.close();
    await database?.dispose();
  });

  it("shows each person the failed jobs of the repositories they read; a dashboard admin sees all, those of no repository too", async () => {
    const { status, body } = await json("/api/v1/queue", WRITER);
    expect(status).toBe(200);
    const overview = queueOverviewView.parse(body);
    expect(overview.failed.map((job) => job.id)).toEqual([ids.widgets]);
    expect(overview.failed[0]).toMatchObject({ name: "flaky", repo: "acme/widgets", number: 5, failCount: 1, retryable: true, failReason: "widgets: the first attempt fails" });
    expect(overview.runs).toEqual({ queued: 0, running: 0 });
    expect(overview.pickup.lastHour).toEqual({ runs: 0, p50Ms: null, p95Ms: null, maxMs: null });
    expect((await failed(SITE_ADMIN)).map((job) => job.id)).toEqual([ids.none, ids.secret, ids.widgets]);
    expect(await json("/api/v1/queue?repo=acme/widgets", WRITER)).toEqual({ status: 400, body: { error: "unknown parameter `repo`" } });
  });

  it("refuses a retry to people who may read, or push to, the repository but not administer it", async () => {
    for (const [token, who] of [[READER, "hubot"], [WRITER, "octocat"]] as const) {
      const answer = await json(`/api/v1/queue/jobs/${ids.widgets}/retry`, token, "POST");
      expect(answer, who).toEqual({ status: 403, body: { error: "retrying a job needs admin permission on acme/widgets, or your login in DASHBOARD_ADMINS" } });
    }
    expect(attempts.get("widgets")).toBe(1);
  });

  it("answers 404 for a job of a repository the person cannot read, of no repository, or no job at all; 400 for what is no job id", async () => {
    for (const id of [ids.secret, ids.none, "0b9d7a3c-1e2f-4a5b-8c6d-7e8f9a0b1c2d"]) {
      expect(await json(`/api/v1/queue/jobs/${id}/retry`, REPO_ADMIN, "POST")).toEqual({ status: 404, body: { error: "job not found" } });
    }
    expect((await json(`/api/v1/queue/jobs/not-a-job/retry`, REPO_ADMIN, "POST")).status).toBe(400);
    expect((await json(`/api/v1/queue/jobs/${ids.widgets}/retry?failCount=0`, REPO_ADMIN, "POST")).status).toBe(400);
  });

  it("retries for an admin of the repository: the job runs a second time, and the double click's second request retries nothing", async () => {
    const checks = github.adminChecks();
    const first = await json(`/api/v1/queue/jobs/${ids.widgets}/retry?failCount=1`, REPO_ADMIN, "POST");
    expect(first.status).toBe(200);
    expect(retryAnswer.parse(first.body)).toMatchObject({ retried: true, job: { id: ids.widgets, retryable: false } });
    const second = await json(`/api/v1/queue/jobs/${ids.widgets}/retry?failCount=1`, REPO_ADMIN, "POST");
    expect(second.status).toBe(409);
    // Asked of GitHub on each retry, never kept.
    expect(github.adminChecks()).toBe(checks + 2);

    await until(async () => (attempts.get("widgets") === 2 && (await opened.queueJobs.job(ids.widgets))?.lockedAt === null ? true : undefined), "the second attempt");
    // It succeeded: no longer failed, nor listed; a retry now has nothing to retry.
    expect(await failed(REPO_ADMIN)).toEqual([]);
    expect(await json(`/api/v1/queue/jobs/${ids.widgets}/retry`, REPO_ADMIN, "POST")).toEqual({ status: 409, body: { error: "the job has not failed" } });
    expect(attempts.get("widgets")).toBe(2);
  });

  it("lets a dashboard admin retry any failed job, one of no repository too", async () => {
    const answer = await json(`/api/v1/queue/jobs/${ids.none}/retry`, SITE_ADMIN, "POST");
    expect(answer.status).toBe(200);
    await until(async () => (attempts.get("none") === 2 ? true : undefined), "the job of no repository to run again");
    expect((await failed(SITE_ADMIN)).map((job) => job.id)).toEqual([ids.secret]);
  });

  it("is in the OpenAPI document with its schemas", async () => {
    const response = await fetch(`${api.base}/api/v1/openapi.json`);
    const document = (await response.json()) as { paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>> };
    expect(document.paths["/api/v1/queue"]?.get?.operationId).toBe("getQueue");
    const retry = document.paths["/api/v1/queue/jobs/{id}/retry"]?.post;
    expect(retry?.operationId).toBe("retryJob");
    expect(Object.keys(retry?.responses ?? {}).sort()).toEqual(["200", "400", "401", "403", "404", "409", "502"]);
  });
});
