import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunInfo } from "../../../src/integrations/kinds/status.js";
import { LinearClient } from "../../../src/integrations/linear/client.js";
import { LinearSink } from "../../../src/integrations/linear/sink.js";
import { LinearTracker } from "../../../src/integrations/linear/tracker.js";
import { RunMirror } from "../../../src/runs/mirror.js";
import { type FakeLinear, fakeLinear } from "../../helpers/fake-linear.js";
import { memoryMirrorStore, runInfo } from "../../helpers/run-mirror.js";

/**
 * The Linear sink against Linear's GraphQL answer shapes (fake-linear), with the run's state in a
 * store that behaves like ours: links merge, notices are claimed once.
 */

const API = "https://linear-sink.test/graphql";
const log = { warn: () => undefined };
const settings = { team: "ENG", create_tasks: false, states: { started: "In Progress", pr_opened: "In Review" } };
const PR = "https://github.com/acme/widgets/pull/8";

describe("the Linear status mirror", () => {
  let linear: FakeLinear;
  beforeEach(() => {
    nock.disableNetConnect();
    linear = fakeLinear(API, { apiKey: "lin-key" });
  });
  afterEach(() => {
    linear.done();
    nock.enableNetConnect();
  });
  const sinkFor = () => new LinearSink(new LinearTracker(new LinearClient({ apiKey: "lin-key", apiUrl: API }), settings), settings);

  it("comments on each notable event, moves the issue to the configured states, attaches the pull request once, and a resumed run repeats none", async () => {
    const issue = linear.addIssue("Dark mode");
    const info: RunInfo = { ...runInfo, taskKeys: { linear: issue.identifier } };
    const store = memoryMirrorStore();
    const mirror = new RunMirror([sinkFor()], () => info, store, log);
    mirror.emit({ type: "queued" });
    mirror.emit({ type: "started" });
    await mirror.flush();
    expect(issue.stateId).toBe(state(linear, "In Progress"));
    mirror.emit({ type: "pr_opened", url: PR });
    await mirror.flush();
    expect(issue.stateId).toBe(state(linear, "In Review"));

    // The run resumed after a crash, in another process: the same events again.
    const again = new RunMirror([sinkFor()], () => info, store, log);
    again.emit({ type: "started" });
    again.emit({ type: "pr_opened", url: PR });
    await again.flush();

    expect(issue.comments.map((c) => c.body)).toEqual([
      "ai-agent implement for acme/widgets\\#7 started, asked by octocat. [Run details](<https://ai-agent.example/runs/run-1>)",
      `ai-agent implement for acme/widgets\\#7 opened a pull request. [Pull request](<${PR}>)`,
    ]);
    expect(issue.attachments).toEqual([{ id: "attachment-1", url: PR, title: "acme/widgets: ABC-12: add <dark> mode" }]);
    expect(linear.requests.filter((r) => r.operation === "AttachmentCreate")).toHaveLength(1);
    expect(store.links).toMatchObject({ linearKey: issue.identifier, linearIssue: issue.url, linearAttachment: issue.attachments[0]!.id });
    expect(store.links.linearError).toBeUndefined();
  });

  it("records Linear's error on the run and goes on: the run is never failed by it", async () => {
    const store = memoryMirrorStore();
    const mirror = new RunMirror([sinkFor()], () => ({ ...runInfo, taskKeys: { linear: "ENG-404" } }), store, log);
    mirror.emit({ type: "started" });
    await mirror.flush();
    expect(store.links.linearError).toBe("Linear answered issue with an error: Could not find referenced Issue.");
  });
});

describe("the Linear sink", () => {
  // Any request would fail: the sink must not make one.
  const sink = new LinearSink(new LinearTracker(new LinearClient({ apiKey: "k", apiUrl: "http://127.0.0.1:9/graphql" }), settings), settings);
  const state = () => {
    const links: Record<string, string> = {};
    return { links, get: (k: string) => links[k], set: (k: string, v: string) => Promise.resolve(void (links[k] = v)), claim: () => Promise.resolve(true), reload: () => Promise.resolve() };
  };

  it("reads no key from the title itself, and mirrors nothing for an issue of another team", async () => {
    const s = state();
    await sink.handle({ type: "started" }, { ...runInfo, title: "ENG-12: a stranger's title", taskKeys: {} }, s);
    await sink.handle({ type: "started" }, { ...runInfo, taskKeys: { linear: "OPS-3" } }, s);
    expect(s.links).toEqual({});
  });
});

function state(linear: FakeLinear, name: string): string {
  return linear.team.states.find((s) => s.name === name)!.id;
}

