import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerSecret } from "../../src/core/redactor.js";
import type { Run } from "../../src/core/run.js";
import type { Database } from "../../src/store/open.js";
import type { RunEventEntry } from "../../src/store/types.js";
import { runEvents } from "../../src/web/api/schemas.js";
import { type TestDatabase, freshPostgres } from "../helpers/databases.js";
import { READER, WRITER, githubFor, serveApi, writerSession } from "./api-support.js";

/**
 * GET /api/v1/runs/{id}/events over real HTTP against a real PostgreSQL store: a readable run's
 * tool calls and commands a page at a time, redacted on the way out; another repository's run is
 * as absent as none.
 */

describe("REST API /api/v1/runs/{id}/events", () => {
  let database: TestDatabase;
  let opened: Database;
  let api: { base: string; close: () => Promise<void> };
  let widgets: Run;
  let secret: Run;

  const json = async (path: string, options: { token?: string; cookie?: string } = { token: WRITER }) => {
    const response = await fetch(`${api.base}${path}`, {
      headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(options.cookie ? { cookie: options.cookie } : {}) },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const event = (seq: number, overrides: Partial<RunEventEntry> = {}): RunEventEntry => ({
    seq,
    at: new Date(Date.UTC(2026, 10, 2, 10, 0, seq)),
    step: "implement",
    kind: "tool_call",
    name: "bash",
    summary: `echo ${seq}`,
    output: `${seq}\n`,
    exitCode: 0,
    durationMs: 40,
    truncated: false,
    ...overrides,
  });

  beforeAll(async () => {
    database = await freshPostgres();
    opened = await database.open();
    const base = { number: 1, kind: "issue", task: "implement", trigger: "label", actor: "octocat", installationId: 1 } as const;
    widgets = await opened.store.createRun({ ...base, repo: "acme/widgets" });
    secret = await opened.store.createRun({ ...base, repo: "acme/secret", number: 2 });
    await opened.store.appendRunEvents(widgets.id, [1, 2, 3, 4, 5].map((seq) => event(seq)));
    await opened.store.appendRunEvents(secret.id, [event(1, { summary: "cat /etc/shadow" })]);
    api = await serveApi(opened.store);
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    githubFor();
  });
  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await api.close();
    await opened.close();
    await database.dispose();
  });

  it("serves a readable run's events oldest first, every field, by bearer token or session", async () => {
    const { status, body } = await json(`/api/v1/runs/${widgets.id}/events`);
    expect(status).toBe(200);
    const page = runEvents.parse(body);
    expect(page.runId).toBe(widgets.id);
    expect(page.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(page.events[0]).toEqual({ seq: 1, at: "2026-11-02T10:00:01.000Z", step: "implement", kind: "tool_call", name: "bash", summary: "echo 1", output: "1\n", exitCode: 0, durationMs: 40, truncated: false });
    expect(page.nextAfter).toBeNull();
    expect(runEvents.parse((await json(`/api/v1/runs/${widgets.id}/events`, { cookie: writerSession() })).body).events).toHaveLength(5);
    // hubot may read acme/widgets too.
    expect((await json(`/api/v1/runs/${widgets.id}/events`, { token: READER })).status).toBe(200);
  });

  it("pages with after and limit, nextAfter leading to the next page until the last", async () => {
    const seen: number[] = [];
    let after: number | null = 0;
    let pages = 0;
    while (after !== null && pages < 10) {
      const page = runEvents.parse((await json(`/api/v1/runs/${widgets.id}/events?after=${after}&limit=2`)).body);
      seen.push(...page.events.map((e) => e.seq));
      after = page.nextAfter;
      pages++;
    }
    expect([pages, seen]).toEqual([3, [1, 2, 3, 4, 5]]);
    // A client following a running run asks again after the last event it read.
    expect(runEvents.parse((await json(`/api/v1/runs/${widgets.id}/events?after=5`)).body)).toEqual({ runId: widgets.id, events: [], nextAfter: null });
  });

  it("answers 404 for a run of a repository the person may not read, as for none, and 401 without credentials", async () => {
    for (const path of [`/api/v1/runs/${secret.id}/events`, "/api/v1/runs/00000000-0000-4000-8000-000000000000/events"]) {
      expect(await json(path)).toEqual({ status: 404, body: { error: "run not found" } });
    }
    const unsigned = await json(`/api/v1/runs/${widgets.id}/events`, {});
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.sign_in).toBe("/login?next=%2F");
  });

  it("names the bad parameter with a 400", async () => {
    const error = async (path: string) => {
      const { status, body } = await json(path);
      expect(status, path).toBe(400);
      return body.error as string;
    };
    expect(await error(`/api/v1/runs/${widgets.id}/events?after=-1`)).toMatch(/^bad parameter `after`/);
    expect(await error(`/api/v1/runs/${widgets.id}/events?limit=201`)).toMatch(/^bad parameter `limit`/);
    expect(await error(`/api/v1/runs/${widgets.id}/events?limit=some`)).toMatch(/^bad parameter `limit`/);
    expect(await error(`/api/v1/runs/${widgets.id}/events?since=1`)).toBe("unknown parameter `since`");
    expect(await error("/api/v1/runs/not-a-run/events")).toMatch(/^bad parameter `id`/);
  });

  it("serves an event stored before its secret was known, or written by another writer, without the secret", async () => {
    const later = "a-secret-learned-after-9d1f0e";
    const shaped = "ghp_0123456789abcdefghijABCDEFGHIJ0123456789";
    const run = await opened.store.createRun({ repo: "acme/widgets", number: 3, kind: "issue", task: "implement", trigger: "label", actor: "octocat" });
    await opened.store.appendRunEvents(run.id, [event(1, { summary: `deploy --key ${later}`, output: `token: ${shaped}` })]);
    registerSecret(later);
    const { body } = await json(`/api/v1/runs/${run.id}/events`);
    const text = JSON.stringify(body);
    expect(text).not.toContain(later);
    expect(text).not.toContain(shaped);
    expect(runEvents.parse(body).events[0]).toMatchObject({ summary: "deploy --key [redacted]", output: "token: [redacted]" });
  });
});
