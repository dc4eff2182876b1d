import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { registerSecret } from "../../src/core/redactor.js";
import { JiraClient, adf } from "../../src/integrations/jira/client.js";
import { slackClient } from "../../src/integrations/slack/client.js";
import { generatePrivateKey } from "../helpers/keys.js";

const SLACK = "https://slack.test";
const JIRA = "https://acme.atlassian.test";
const PRIVATE_KEY = generatePrivateKey();
const SLACK_TOKEN = "xoxb-redaction-test-token";
const JIRA_TOKEN = "jira-redaction-test-token";
const INSTALLATION_TOKEN = "ghs_mirrorredactiontoken42";

/** What a step's output or a failure may hold, sent on to Slack and Jira. */
const leaky = `failed: ${INSTALLATION_TOKEN} with ${PRIVATE_KEY} (slack ${SLACK_TOKEN}, jira ${JIRA_TOKEN})`;

describe("what the mirrors send", () => {
  beforeEach(() => {
    nock.disableNetConnect();
    for (const secret of [PRIVATE_KEY, SLACK_TOKEN, JIRA_TOKEN, INSTALLATION_TOKEN]) registerSecret(secret);
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  const expectClean = (text: string) => {
    for (const secret of [SLACK_TOKEN, JIRA_TOKEN, INSTALLATION_TOKEN, ...PRIVATE_KEY.split("\n").filter((l) => l.length > 16)]) expect(text).not.toContain(secret);
    expect(text).toContain("[redacted]");
  };

  it("Slack: every call's arguments are redacted, and the client still signs in with its token", async () => {
    const sent: { body: string; authorization: string | undefined }[] = [];
    nock(SLACK)
      .persist()
      .post(/\/api\/chat\.(postMessage|update)/)
      .reply(function (_path, body) {
        sent.push({ body: typeof body === "string" ? body : JSON.stringify(body), authorization: this.req.headers.authorization });
        return [200, { ok: true, channel: "C0123ABCD", ts: "1700000000.000100" }];
      });
    const client = slackClient(SLACK_TOKEN, `${SLACK}/api/`, 0);
    await client.chat.postMessage({ channel: "#ai-agent", text: leaky, blocks: [{ type: "section", text: { type: "mrkdwn", text: leaky } }] });
    await client.chat.update({ channel: "C0123ABCD", ts: "1700000000.000100", text: leaky });
    expect(sent).toHaveLength(2);
    for (const { body, authorization } of sent) {
      expectClean(decodeURIComponent(body.replace(/\+/g, " ")));
      expect(authorization).toBe(`Bearer ${SLACK_TOKEN}`);
    }
  });

  it("Jira: bodies are redacted, and the client still signs in with its token", async () => {
    const sent: { body: unknown; authorization: string | undefined }[] = [];
    nock(JIRA)
      .post("/rest/api/3/issue/ABC-1/comment")
      .reply(function (_path, body) {
        sent.push({ body, authorization: this.req.headers.authorization });
        return [201, { id: "10001" }];
      });
    const client = new JiraClient({ baseUrl: JIRA, email: "bot@acme.test", apiToken: JIRA_TOKEN });
    await client.addComment("ABC-1", adf(leaky));
    expect(sent).toHaveLength(1);
    expectClean(JSON.stringify(sent[0]!.body));
    expect(sent[0]!.authorization).toBe(`Basic ${Buffer.from(`bot@acme.test:${JIRA_TOKEN}`).toString("base64")}`);
  });
});
