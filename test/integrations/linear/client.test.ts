import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LinearClient } from "../../../src/integrations/linear/client.js";
import { LinearTracker } from "../../../src/integrations/linear/tracker.js";
import { fakeLinear } from "../../helpers/fake-linear.js";
import { leakyMirrorText } from "../../helpers/leaky-text.js";

const API = "https://linear-client.test/graphql";
const KEY = "lin_api_clienttestkey1234";
const settings = { team: "ENG", create_tasks: false, states: {} };

describe("the Linear client", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("waits out RATELIMITED until the X-RateLimit-Requests-Reset time, then goes on", async () => {
    const linear = fakeLinear(API, { apiKey: KEY });
    const issue = linear.addIssue("Login fails");
    linear.rateLimit(2, 300);
    const tracker = new LinearTracker(new LinearClient({ apiKey: KEY, apiUrl: API }), settings);
    expect(await tracker.comment(issue.identifier, "hello")).toEqual({ id: issue.comments[0]!.id });
    // Two answers of the limit, each with its window's reset: the client asked again only after it.
    const [first, second] = linear.resets;
    expect(linear.requests[1]!.at).toBeGreaterThanOrEqual(first!);
    expect(linear.requests[2]!.at).toBeGreaterThanOrEqual(second!);
    expect(linear.requests.map((r) => r.operation)).toEqual(["Issue", "Issue", "Issue", "CommentCreate"]);
    expect(linear.requests.every((r) => r.authorization === KEY)).toBe(true);
  });

  it("gives up on a Linear that never answers, and on one that answers 502, saying which", async () => {
    const linear = fakeLinear(API, { apiKey: KEY });
    linear.down = "hang";
    const client = new LinearClient({ apiKey: KEY, apiUrl: API, timeoutMs: 200 });
    const hung = await new LinearTracker(client, settings).comment("ENG-1", "x").catch((error: Error) => error);
    expect(hung).toMatchObject({ name: "LinearError", message: "Linear did not answer issue within 200 ms" });
    linear.down = 502;
    const failed = await new LinearTracker(client, settings).comment("ENG-1", "x").catch((error: Error) => error);
    expect(failed).toMatchObject({ name: "LinearError", status: 502, message: "Linear answered 502 to issue: <html><body>502 Bad Gateway</body></html>" });
  });

  it("gives up on the rate limit after its retries, saying so", async () => {
    const linear = fakeLinear(API);
    linear.rateLimit(5, 0);
    const client = new LinearClient({ apiKey: KEY, apiUrl: API, maxRetries: 1 });
    const failure = await new LinearTracker(client, settings).comment("ENG-1", "x").catch((error: Error) => error);
    expect(failure).toMatchObject({ name: "LinearError", status: 400, code: "RATELIMITED", message: "Linear answered issue with its rate limit: Rate limit exceeded" });
    expect(linear.requests).toHaveLength(2);
  });

  it("reports Linear's own message, never the key, and fails clearly on a shape it does not know", async () => {
    fakeLinear(API, { apiKey: "another-key" });
    const tracker = new LinearTracker(new LinearClient({ apiKey: KEY, apiUrl: API }), settings);
    const failure = await tracker.comment("ENG-1", "x").catch((error: Error) => error);
    expect(failure).toMatchObject({ name: "LinearError", code: "AUTHENTICATION_ERROR", message: "Linear answered issue with an error: Authentication required, not authenticated" });
    expect(JSON.stringify(failure) + (failure instanceof Error ? failure.message : "")).not.toContain(KEY);
    nock.cleanAll();
    nock("https://linear-client.test").post("/graphql").reply(200, { data: { issue: { id: 1 } } }).post("/graphql").reply(200, "<html>proxy login</html>");
    await expect(tracker.comment("ENG-1", "x")).rejects.toThrow(/^Linear answered issue with an unexpected body \(issue\.id: /);
    await expect(tracker.comment("ENG-1", "x")).rejects.toThrow("Linear answered issue with a body that is not JSON: <html>proxy login</html>");
  });

  it("follows every page of the team's workflow states", async () => {
    const linear = fakeLinear(API);
    const issue = linear.addIssue("Dark mode");
    const tracker = new LinearTracker(new LinearClient({ apiKey: KEY, apiUrl: API }), settings);
    expect(await tracker.transition(issue.identifier, "canceled")).toBe(true);
    expect(issue.stateId).toBe(linear.team.states.find((s) => s.name === "Canceled")!.id);
    expect(await tracker.transition(issue.identifier, "Shipped")).toBe(false);
    expect(linear.requests.filter((r) => r.operation === "TeamStates").map((r) => r.variables.after)).toEqual([null, "2", "4", null, "2", "4"]);
  });
});

describe("what the Linear mirror sends", () => {
  const leaky = leakyMirrorText(KEY);

  it("comments are redacted before they are escaped, and shown as plain text", async () => {
    const linear = fakeLinear(API, { apiKey: KEY });
    const issue = linear.addIssue("x");
    const tracker = new LinearTracker(new LinearClient({ apiKey: KEY, apiUrl: API }), settings);
    await tracker.comment(issue.identifier, `${leaky.text} ![img](https://evil.test/x.png) @everyone`, { href: "https://ai-agent.example/runs/1", text: "Run details" });
    const body = issue.comments[0]!.body;
    // As Linear shows it, its escapes read: no secret there either.
    leaky.expectClean(body.replace(/\\(.)/g, "$1"));
    expect(linear.requests.every((r) => r.authorization === KEY)).toBe(true);
    expect(body).toContain("\\!\\[img\\]\\(https://evil.test/x.png\\) \\@everyone");
    expect(body.endsWith(" [Run details](<https://ai-agent.example/runs/1>)")).toBe(true);
  });
});
