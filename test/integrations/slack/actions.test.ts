import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { integrationActions } from "../../helpers/integration-actions.js";

const SLACK = "https://slack.actions.test";

describe("slack.* actions", () => {
  const { run } = integrationActions({ SLACK_BOT_TOKEN: "xoxb-actions", SLACK_API_URL: `${SLACK}/api/` }, { slack: { channel: "#ai-agent" } });

  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("slack.post posts to the configured channel", async () => {
    let sent = "";
    nock(SLACK)
      .post("/api/chat.postMessage")
      .reply(200, (_path, body) => {
        sent = typeof body === "string" ? body : "";
        return { ok: true, channel: "C0123ABCD", ts: "1700000000.000200" };
      });
    expect(await run("slack.post", { text: "Deployed" })).toEqual({ ts: "1700000000.000200", channel: "C0123ABCD" });
    expect(new URLSearchParams(sent).get("channel")).toBe("#ai-agent");
  });
});
