import nock from "nock";
import { describe, expect, it } from "vitest";
import { slackClient } from "../../../src/integrations/slack/client.js";
import { leakyMirrorText } from "../../helpers/leaky-text.js";

const SLACK = "https://slack.test";
const SLACK_TOKEN = "xoxb-redaction-test-token";

describe("what the Slack mirror sends", () => {
  const leaky = leakyMirrorText(SLACK_TOKEN);

  it("every call's arguments are redacted, and the client still signs in with its token", async () => {
    const sent: { body: string; authorization: string | undefined }[] = [];
    nock(SLACK)
      .persist()
      .post(/\/api\/chat\.(postMessage|update)/)
      .reply(function (_path, body) {
        sent.push({ body: typeof body === "string" ? body : JSON.stringify(body), authorization: this.req.headers.authorization });
        return [200, { ok: true, channel: "C0123ABCD", ts: "1700000000.000100" }];
      });
    const client = await slackClient(SLACK_TOKEN, `${SLACK}/api/`, 0)();
    await client.chat.postMessage({ channel: "#ai-agent", text: leaky.text, blocks: [{ type: "section", text: { type: "mrkdwn", text: leaky.text } }] });
    await client.chat.update({ channel: "C0123ABCD", ts: "1700000000.000100", text: leaky.text });
    expect(sent).toHaveLength(2);
    for (const { body, authorization } of sent) {
      leaky.expectClean(decodeURIComponent(body.replace(/\+/g, " ")));
      expect(authorization).toBe(`Bearer ${SLACK_TOKEN}`);
    }
  });
});
