import { type IncomingMessage, type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { IssuesLabeledEvent } from "@octokit/webhooks-types";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, secretValues } from "../../src/config/env.js";
import { parseRepoConfig } from "../../src/workflow/repo-config.js";
import { redact } from "../../src/core/redactor.js";
import { connectIntegrations } from "../../src/integrations/connect.js";
import { builtInIntegrations, composeIntegrations } from "../../src/integrations/registry.js";
import type { Store } from "../../src/store/types.js";
import { builtInActions } from "../../src/workflow/actions/index.js";
import { workflowTasks } from "../../src/runs/workflow-task.js";
import { type TestApp, WEBHOOK_SECRET, eventually, startTestApp } from "../helpers/app-server.js";
import { type FakeGitHub, fakeGitHub } from "../helpers/fake-github.js";
import { deliver, examplePayload } from "../helpers/webhooks.js";
import { pager } from "./fixtures/pager/index.js";
import { tickets } from "./fixtures/tickets/index.js";
import { wiki } from "./fixtures/wiki/index.js";

/**
 * The seam: a notifier, a task tracker and a doc store that the app has never heard of, each in
 * its own folder under fixtures/, added by one registry call — and each works end to end: its
 * variables are parsed, its secret redacted, its settings checked, its action run by a workflow,
 * and (notifier and tracker) its sink fed the run's events, through the whole app.
 */

const set = composeIntegrations([...builtInIntegrations.all, pager, tickets, wiki]);

const PAGER_TOKEN = "pager-seam-token-5f1c";
const TICKETS_TOKEN = "tickets-seam-token-9a2e";
const WIKI_TOKEN = "wiki-seam-token-77d0";

const CONFIG = [
  "version: 1",
  "notify:",
  "  pager: { room: ops }",
  "  tickets: { project: OPS }",
  "docs:",
  "  wiki: { space: ENG }",
  "workflows:",
  "  implement:",
  "    steps:",
  "      - id: page",
  "        uses: pager.page",
  '        with: { text: "Working on #{{ issue.number }}" }',
  "      - id: note",
  "        uses: tickets.comment",
  '        with: { body: "Picked up {{ issue.title }}" }',
  "      - id: doc",
  "        uses: docs.wiki.publish",
  '        with: { title: "Notes on #{{ issue.number }}", body: "{{ steps.note.outputs.ticket }}" }',
  "",
].join("\n");

interface Received {
  method: string;
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

/** The three services on one local HTTP server, answering in the shapes their clients check. */
function startServices(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  let next = 0;
  const server = createServer((request: IncomingMessage, response) => {
    let raw = "";
    request.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    request.on("end", () => {
      const path = new URL(request.url ?? "/", "http://x").pathname;
      const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
      received.push({ method: request.method ?? "", path, authorization: request.headers.authorization, body });
      const room = /^\/pager\/rooms\/([^/]+)\//.exec(path)?.[1];
      const answer = room
        ? { room, id: /\/messages\/([^/]+)$/.exec(path)?.[1] ?? `m${++next}` }
        : path.startsWith("/tickets/") && path.endsWith("/comments")
          ? { id: `c${++next}` }
          : path.startsWith("/wiki/")
            ? { id: `p${++next}`, title: body.title, url: `http://wiki.test/ENG/p${next}` }
            : { ok: true };
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received })),
  );
}

describe("a throwaway integration of each kind, added by one registry call", () => {
  let services: Awaited<ReturnType<typeof startServices>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    services = await startServices();
    env = {
      PAGER_URL: `${services.url}/pager`,
      PAGER_TOKEN,
      TICKETS_URL: services.url,
      TICKETS_TOKEN,
      WIKI_URL: `${services.url}/wiki`,
      WIKI_TOKEN,
    };
  });
  afterAll(() => new Promise<void>((resolve) => services.server.close(() => resolve())));

  it("parses their variables with the server's, and names a bad one", () => {
    const config = loadConfig(env, set);
    expect([config.PAGER_URL, config.TICKETS_URL, config.WIKI_URL]).toEqual([env.PAGER_URL, env.TICKETS_URL, env.WIKI_URL]);
    expect(() => loadConfig({ ...env, PAGER_URL: "ftp://pager.test" }, set)).toThrow(new ConfigError("invalid environment: PAGER_URL: expected an http URL of the pager"));
    expect(() => loadConfig({ ...env, TICKETS_TOKEN: "" }, set)).toThrow(new ConfigError("invalid environment: TICKETS_TOKEN: required with TICKETS_URL"));
    // The server's own set has none of them: a stray variable is no concern of its schema.
    expect(loadConfig({ PAGER_URL: "ftp://pager.test" }).PAGER_URL).toBeUndefined();
  });

  it("redacts each one's secret", () => {
    const config = loadConfig(env, set);
    expect(secretValues(config, set)).toEqual(expect.arrayContaining([PAGER_TOKEN, TICKETS_TOKEN, WIKI_TOKEN]));
    const text = redact(`pager ${PAGER_TOKEN}, tickets ${TICKETS_TOKEN}, wiki ${WIKI_TOKEN}`);
    for (const token of [PAGER_TOKEN, TICKETS_TOKEN, WIKI_TOKEN]) expect(text).not.toContain(token);
  });

  it("accepts their settings under notify.<id> and docs.<id>, and rejects a misspelt key with a did-you-mean", () => {
    const actions = builtInActions(set);
    const parsed = parseRepoConfig(CONFIG, ".github/ai-agent.yml", actions, set);
    expect(parsed.ok && [parsed.config.notify, (parsed.config as Record<string, unknown>).docs]).toEqual([{ pager: { room: "ops" }, tickets: { project: "OPS" } }, { wiki: { space: "ENG" } }]);
    const problems = (text: string) => {
      const result = parseRepoConfig(text, ".github/ai-agent.yml", actions, set);
      return result.ok ? [] : result.problems.map((p) => `${p.line}:${p.column} ${p.message}`);
    };
    expect(problems("version: 1\nnotify:\n  pager:\n    rooom: ops\n")).toEqual(['4:5 notify.pager.rooom: unknown key; did you mean "room"? expected one of room']);
    expect(problems("version: 1\nnotify:\n  tikets: { project: OPS }\n")).toEqual(['3:3 notify.tikets: unknown key; did you mean "tickets"? expected one of slack, jira, linear, email, pager, tickets']);
    expect(problems("version: 1\ndocs:\n  wikki: { space: ENG }\n")).toEqual(['3:3 docs.wikki: unknown key; did you mean "wiki"? expected one of confluence, wiki']);
    expect(problems("version: 1\nnotify:\n  tickets: { project: ops }\n")).toEqual(["3:23 notify.tickets.project: expected a project in capitals"]);
    // Without them, the server's own schema knows none of these settings.
    expect(parseRepoConfig(CONFIG).ok).toBe(false);
  });

  describe("through the app", () => {
    let app: TestApp;
    let github: FakeGitHub;

    beforeAll(async () => {
      const mirrors = (store: Store) => ({
        integrations: connectIntegrations(set, loadConfig(env, set)),
        store,
        log: { warn: () => undefined },
      });
      app = await startTestApp((store) => workflowTasks({ mirrors: mirrors(store), runUrl: (id) => `http://127.0.0.1/runs/${id}` }), { mirrors });
    });
    afterAll(() => app.close());
    beforeEach(() => {
      github = fakeGitHub();
      github.permissions.set("Codertocat", "write");
      github.configFiles.set("master", CONFIG);
      github.configFiles.set("main", CONFIG);
      services.received.length = 0;
    });
    afterEach(() => github.done());

    it("runs each one's action in a workflow step, and feeds the notifier's and the tracker's sinks the run's events", async () => {
      github.issueTitles.set(31, "OPS:7 login fails");
      const payload = examplePayload<IssuesLabeledEvent>("issues", "labeled");
      payload.label!.name = "ai:implement";
      payload.issue.number = 31;
      payload.issue.title = "OPS:7 login fails";
      await deliver(app.webhookUrl, "issues", payload, WEBHOOK_SECRET);
      const run = await eventually(async () => (await app.database.store.listRuns({ repo: "Codertocat/Hello-World", number: 31 })).find((r) => r.status === "succeeded"), 30_000);
      // The sinks hear the end of the run in the background: wait for the last thing each does.
      await eventually(async () => services.received.some((r) => r.path.endsWith("/replies")) && services.received.some((r) => r.path.endsWith("/state")), 15_000);
      const calls = (prefix: string) => services.received.filter((r) => r.path.startsWith(prefix));

      // Each service was reached with its own token, from its own variables.
      for (const [prefix, token] of [["/pager/", PAGER_TOKEN], ["/tickets/", TICKETS_TOKEN], ["/wiki/", WIKI_TOKEN]] as const) {
        expect(calls(prefix).length).toBeGreaterThan(0);
        expect(calls(prefix).every((r) => r.authorization === `Bearer ${token}`)).toBe(true);
      }
      // The steps: the page, the comment on the run's ticket (read from the writer's title), the page published.
      expect(run.steps.map((s) => [s.id, s.status])).toEqual([["page", "succeeded"], ["note", "succeeded"], ["doc", "succeeded"]]);
      expect(calls("/pager/").some((r) => r.method === "POST" && r.body.text === "Working on #31")).toBe(true);
      expect(calls("/tickets/OPS:7/comments").map((r) => r.body.text)).toEqual(expect.arrayContaining(["Picked up OPS:7 login fails", "implement started", "implement succeeded"]));
      expect(calls("/wiki/").map((r) => [r.method, r.path, r.body])).toEqual([["POST", "/wiki/spaces/ENG/pages", { title: "Notes on #31", body: "OPS:7" }]]);
      // The notifier's sink: one message for the run, updated in place, and a reply when it is done.
      const runMessages = calls("/pager/rooms/ops/messages").filter((r) => r.method === "POST" && String(r.body.text).startsWith("Codertocat/Hello-World#31"));
      expect(runMessages).toHaveLength(1);
      const updates = calls("/pager/").filter((r) => r.method === "PUT").map((r) => r.body.text);
      expect(updates.at(-1)).toBe("Codertocat/Hello-World#31 implement: Succeeded");
      expect(calls("/pager/").filter((r) => r.path.endsWith("/replies")).map((r) => r.body.text)).toEqual(["done: no summary"]);
      // The tracker's sink moved the ticket.
      expect(calls("/tickets/OPS:7/state").map((r) => r.body)).toEqual([{ name: "Done" }]);
    });
  });
});
