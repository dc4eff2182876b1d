import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JiraClient } from "../../../src/integrations/jira/client.js";

const JIRA = "https://acme-schema.atlassian.test";

/** Jira's answers are read through their schemas: a wrong shape fails naming the call and the field. */
describe("the Jira client's answers", () => {
  const client = new JiraClient({ baseUrl: JIRA, email: "bot@acme.test", apiToken: "jira-schema-token", maxRetries: 0 });
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("reads the real shapes", async () => {
    nock(JIRA)
      .get("/rest/api/3/issue/ABC-1/transitions")
      .reply(200, { expand: "transitions", transitions: [{ id: "21", name: "Start", to: { name: "In Progress", id: "3" }, hasScreen: false }] })
      .post("/rest/api/3/issue/ABC-1/transitions")
      .reply(204, "")
      .post("/rest/api/3/issue")
      .reply(201, { id: "10042", key: "ABC-42", self: `${JIRA}/rest/api/3/issue/10042` });
    expect(await client.transition("ABC-1", "in progress")).toBe(true);
    expect(await client.createIssue("ABC", "Follow up", "Later.")).toEqual({ id: "10042", key: "ABC-42", self: `${JIRA}/rest/api/3/issue/10042` });
  });

  it("fails clearly on a shape it does not know, and on a body that is not JSON", async () => {
    nock(JIRA)
      .get("/rest/api/3/issue/ABC-1/transitions")
      .reply(200, { transitions: [{ id: 21, name: "Start" }] })
      .post("/rest/api/3/issue")
      .reply(201, { id: "10042" })
      .post("/rest/api/3/issue/ABC-1/comment")
      .reply(201, "<html>proxy login</html>");
    const failure = await client.transition("ABC-1", "Start").catch((error: Error) => error);
    expect(failure).toMatchObject({ name: "JiraError", status: 200 });
    expect(String(failure)).toMatch(/Jira answered GET \/rest\/api\/3\/issue\/ABC-1\/transitions with an unexpected body \(transitions\.0\.id: /);
    await expect(client.createIssue("ABC", "x", "y")).rejects.toThrow(/^Jira answered POST \/rest\/api\/3\/issue with an unexpected body \(key: .*; self: /);
    await expect(client.addComment("ABC-1", { type: "doc", version: 1, content: [] })).rejects.toThrow("Jira answered POST /rest/api/3/issue/ABC-1/comment with a body that is not JSON");
  });

  it("honours Retry-After on 429 and 503, and reports Jira's own error messages", async () => {
    nock(JIRA)
      .post("/rest/api/3/issue/ABC-1/comment")
      .reply(429, { errorMessages: ["Rate limit exceeded."] }, { "retry-after": "1" })
      .post("/rest/api/3/issue/ABC-1/comment")
      .reply(503, "Service Unavailable", { "retry-after": "0" })
      .post("/rest/api/3/issue/ABC-1/comment")
      .reply(201, { id: "10001" })
      .post("/rest/api/3/issue/ABC-404/comment")
      .reply(404, { errorMessages: ["Issue does not exist or you do not have permission to see it."], errors: {} });
    const retrying = new JiraClient({ baseUrl: JIRA, email: "bot@acme.test", apiToken: "jira-secret-token" });
    const started = Date.now();
    expect(await retrying.addComment("ABC-1", { type: "doc", version: 1, content: [] })).toEqual({ id: "10001" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const failure = await retrying.addComment("ABC-404", { type: "doc", version: 1, content: [] }).catch((error: Error) => error);
    expect(failure).toMatchObject({ name: "JiraError", status: 404, message: "Jira answered 404 to POST /rest/api/3/issue/ABC-404/comment: Issue does not exist or you do not have permission to see it." });
    expect(JSON.stringify(failure) + (failure instanceof Error ? failure.message : "")).not.toContain("jira-secret-token");
  });
});
