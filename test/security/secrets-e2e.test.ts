import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { IssuesLabeledEvent } from "@octokit/webhooks-types";
import { redact } from "../../src/core/redactor.js";
import { type TaskRegistry } from "../../src/runs/tasks.js";
import { UserFacingError } from "../../src/core/errors.js";
import { type TestApp, WEBHOOK_SECRET, eventually, startTestApp } from "../helpers/app-server.js";
import { type FakeGitHub, fakeGitHub } from "../helpers/fake-github.js";
import { deliver, examplePayload } from "../helpers/webhooks.js";

const REPO = "Codertocat/Hello-World";

/**
 * A run whose step output, step error and failure hold the App's private key, the webhook secret
 * and the installation token the run was given — as a careless command or a library's error
 * message would. None of it may reach the run's row, the tracking comment, any other GitHub
 * request, or the run's page.
 */
describe("secrets in what a run produces", () => {
  let app: TestApp;
  let github: FakeGitHub;
  let token: string | undefined;
  const leak = () => `key ${app.config.privateKey} secret ${app.config.WEBHOOK_SECRET} token ${token} in https://x-access-token:${token}@github.com/${REPO}.git`;
  const tasks: TaskRegistry = {
    implement: async (ctx) => {
      ({ token } = (await ctx.octokit.auth({ type: "installation" })) as { token: string });
      await ctx.recordStep({ id: "push", name: "Push the branch", status: "failed", attempts: 1, outputs: { stderr: leak() }, error: leak() });
      throw new UserFacingError(`The push failed: ${leak()}`);
    },
  };

  beforeAll(async () => {
    app = await startTestApp(tasks);
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(() => {
    github = fakeGitHub();
    github.permissions.set("Codertocat", "write");
  });
  afterEach(() => github.done());

  /** The secrets, and each line of the key (a cut key still leaks its lines). */
  const secrets = () => [app.config.WEBHOOK_SECRET!, token!, ...app.config.privateKey!.split("\n").filter((line) => line.length > 16)];
  const expectNone = (text: string) => {
    for (const secret of secrets()) expect(text).not.toContain(secret);
  };

  it("keeps them out of the stored run, the tracking comment and the run's page", async () => {
    const payload = examplePayload<IssuesLabeledEvent>("issues", "labeled");
    payload.label!.name = "ai:implement";
    payload.issue.number = 31;
    expect((await deliver(app.webhookUrl, "issues", payload, WEBHOOK_SECRET)).status).toBe(200);
    const run = await eventually(async () => (await app.database.store.listRuns({ repo: REPO, number: 31 })).find((r) => r.status === "failed"));
    expect(token).toBe("ghs_fakeinstallationtoken");

    const stored = JSON.stringify(await app.database.store.getRun(run.id));
    expectNone(stored);
    expect(stored).toContain("The push failed: key [redacted] secret [redacted] token [redacted] in https://[redacted]@github.com");

    const last = await eventually(async () => github.comments().find((c) => c.method === "PATCH" && c.body.includes("**Failed**"))?.body);
    expect(last).toContain("The push failed: key [redacted]");
    for (const request of github.requests) expectNone(JSON.stringify(request.body ?? ""));

    expect((await fetch(`${app.base}/runs/${run.id}`)).status).toBe(401);
    const page = await fetch(app.runUrl(run.id));
    expect(page.status).toBe(200);
    const text = await page.text();
    expectNone(text);
    expect(JSON.parse(text)).toMatchObject({ id: run.id, status: "failed", steps: [expect.objectContaining({ id: "push", error: expect.stringContaining("[redacted]") as unknown })] });
  });

  it("registers the tokens Probot's own installation clients receive, not only the scoped ones", async () => {
    github.done(); // only this answer for the token
    const issued = "ghs_probotsowninstallationtoken";
    nock("https://api.github.com").post("/app/installations/77/access_tokens").reply(201, { token: issued, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {} });
    expect(redact(`token ${issued}`)).toBe(`token ${issued}`);
    const octokit = await app.access.github(77);
    expect(((await octokit.auth({ type: "installation" })) as { token: string }).token).toBe(issued);
    expect(redact(`token ${issued}`)).toBe("token [redacted]");
  });
});
