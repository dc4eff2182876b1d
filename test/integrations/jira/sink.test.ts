import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JiraClient } from "../../../src/integrations/jira/client.js";
import { JiraSink } from "../../../src/integrations/jira/sink.js";
import { JiraTracker } from "../../../src/integrations/jira/tracker.js";
import type { RunInfo } from "../../../src/integrations/kinds/status.js";
import { RunMirror } from "../../../src/runs/mirror.js";
import { memoryMirrorStore, runInfo } from "../../helpers/run-mirror.js";

/**
 * The Jira sink against Jira's real response shapes (nock), with the run's state in a store that
 * behaves like ours: links merge, notices are claimed once.
 */

const JIRA = "https://acme.atlassian.test";

const log = { warn: () => undefined };

describe("the Jira status mirror", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("comments in ADF, transitions by the configured names, one remote link per pull request, no comment twice", async () => {
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
    const store = memoryMirrorStore();
    const settings = { project: "ABC", create_tasks: false, transitions: { started: "In Progress", pr_opened: "In Review" } };
    const sink = new JiraSink(new JiraTracker(new JiraClient({ baseUrl: JIRA, email: "bot@acme.test", apiToken: "jira-secret-token" }), settings), settings);
    const mirror = new RunMirror([sink], () => runInfo, store, log);
    mirror.emit({ type: "queued" });
    mirror.emit({ type: "started" });
    mirror.emit({ type: "pr_opened", url: "https://github.com/acme/widgets/pull/8" });
    await mirror.flush();
    const again = new RunMirror([sink], () => runInfo, store, log);
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
});

describe("the Jira sink", () => {
  // No key of the project anywhere, and none linked.
  const info: RunInfo = { ...runInfo, title: "XYZ-3 and UTF-8: no key of ABC here", taskKeys: {} };
  // Any request would fail: the sink must not make one.
  const client = new JiraClient({ baseUrl: "http://127.0.0.1:9", email: "bot@acme.test", apiToken: "t" });
  const settings = { project: "ABC", create_tasks: false, transitions: { started: "In Progress" } };
  const sink = new JiraSink(new JiraTracker(client, settings), settings);
  const state = () => {
    const links: Record<string, string> = {};
    return { links, get: (k: string) => links[k], set: (k: string, v: string) => Promise.resolve(void (links[k] = v)), claim: () => Promise.resolve(true), reload: () => Promise.resolve() };
  };

  it("reads no key from the title itself (the queued notice has none yet)", async () => {
    const s = state();
    await sink.handle({ type: "started" }, { ...info, title: "ABC-12: a stranger's title" }, s);
    expect(s.links).toEqual({});
  });

  it("mirrors nothing for a key outside its project", async () => {
    const s = state();
    await sink.handle({ type: "started" }, { ...info, taskKeys: { jira: "XYZ-3" } }, s);
    expect(s.links).toEqual({});
  });
});
