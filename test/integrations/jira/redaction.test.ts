import nock from "nock";
import { describe, expect, it } from "vitest";
import { JiraClient, adf } from "../../../src/integrations/jira/client.js";
import { leakyMirrorText } from "../../helpers/leaky-text.js";

const JIRA = "https://acme.atlassian.test";
const JIRA_TOKEN = "jira-redaction-test-token";

describe("what the Jira mirror sends", () => {
  const leaky = leakyMirrorText(JIRA_TOKEN);

  it("bodies are redacted, and the client still signs in with its token", async () => {
    const sent: { body: unknown; authorization: string | undefined }[] = [];
    nock(JIRA)
      .post("/rest/api/3/issue/ABC-1/comment")
      .reply(function (_path, body) {
        sent.push({ body, authorization: this.req.headers.authorization });
        return [201, { id: "10001" }];
      });
    const client = new JiraClient({ baseUrl: JIRA, email: "bot@acme.test", apiToken: JIRA_TOKEN });
    await client.addComment("ABC-1", adf(leaky.text));
    expect(sent).toHaveLength(1);
    leaky.expectClean(JSON.stringify(sent[0]!.body));
    expect(sent[0]!.authorization).toBe(`Basic ${Buffer.from(`bot@acme.test:${JIRA_TOKEN}`).toString("base64")}`);
  });
});
