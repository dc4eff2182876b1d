import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { IssueCommentCreatedEvent, IssuesLabeledEvent } from "@octokit/webhooks-types";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type TestApp, WEBHOOK_SECRET } from "../helpers/app-server.js";
import { type FakeAnthropic, type ScriptedMessage } from "../helpers/fake-anthropic.js";
import { type FakeGitHub, fakeGitHub } from "../helpers/fake-github.js";
import { type AgentTestApp, finalTrackingComment, finishedRun, startAgentTestApp } from "../helpers/agent-app.js";
import { deliver, examplePayload } from "../helpers/webhooks.js";

/**
 * Runs that fail on what the model or the remote did must say so in words a person can act on:
 * a model whose structured answers keep breaking their schema, a push the repository refuses.
 * None of them may end as "An internal error stopped the run".
 */

const REPO = "Codertocat/Hello-World";
const INTERNAL = /internal error/i;

const tool = (name: string, input: Record<string, unknown>): ScriptedMessage => ({ content: [{ type: "tool_use", name, input }] });
const goodPlan = tool("submit_plan", { summary: "Fix the typo in the README.", steps: [{ title: "Correct the spelling" }], estimate: "minutes" });
const stringSteps = tool("submit_plan", { summary: "Fix the typo.", steps: ["Correct the spelling"], estimate: "minutes" });

describe("failures told in plain words, end to end", () => {
  let app: TestApp;
  let github: FakeGitHub;
  let anthropic: FakeAnthropic;
  let remote: string;
  let work: string;

  const finished = (number: number) => finishedRun(app, REPO, number);
  const lastComment = (number: number) => finalTrackingComment(app, github, REPO, number);
  const askForPlan = (number: number) => {
    const payload = examplePayload<IssueCommentCreatedEvent>("issue_comment", "created");
    payload.issue.number = number;
    payload.comment.body = "/ai plan";
    return deliver(app.webhookUrl, "issue_comment", payload, WEBHOOK_SECRET);
  };

  let agentApp: AgentTestApp;
  beforeAll(async () => {
    agentApp = await startAgentTestApp({ prefix: "ai-agent-plain-", files: { "README.md": "# Hello World\n\nThis is a tipo.\n" } });
    ({ app, anthropic, remote, work } = agentApp);
  });
  afterAll(() => agentApp?.close());
  beforeEach(() => {
    github = fakeGitHub();
    github.permissions.set("Codertocat", "write");
    github.configFiles.set("main", "version: 1\n");
    github.configFiles.set("master", "version: 1\n");
  });
  afterEach(() => {
    github.done();
    expect(anthropic.pending()).toBe(0);
  });

  it("answers a plan whose steps are strings, and posts the corrected plan", async () => {
    anthropic.push(stringSteps, goodPlan);
    await askForPlan(21);
    const run = await finished(21);
    expect([run.status, run.error]).toEqual(["succeeded", undefined]);
    const answered = anthropic.requests.at(-1)!.raw;
    expect(answered).toContain('"is_error":true');
    expect(answered).toContain("invalid input for submit_plan: steps[0]: expected object, received string");
    expect(await lastComment(21)).toContain("## Plan for #21\n\nFix the typo in the README.");
  });

  it("ends the run with the schema's message when the model keeps breaking it", async () => {
    anthropic.push(stringSteps, stringSteps, stringSteps);
    await askForPlan(22);
    const run = await finished(22);
    const message = "The model's tool calls kept failing their schema: invalid input for submit_plan: steps[0]: expected object, received string";
    expect([run.status, run.error]).toEqual(["failed", message]);
    expect(run.steps.find((s) => s.id === "plan")).toMatchObject({ status: "failed", error: message });
    const comment = await lastComment(22);
    expect(comment).toContain(message);
    expect(comment).not.toMatch(INTERNAL);
  });

  it("tells a refused push in plain words, without the remote's address", async () => {
    // The repository's own rule, as a server-side hook; the app's git runs none of its own.
    await writeFile(path.join(remote, "hooks/pre-receive"), '#!/bin/sh\necho "pushes are frozen for the release" >&2\nexit 1\n', { mode: 0o755 });
    try {
      const payload = examplePayload<IssuesLabeledEvent>("issues", "labeled");
      payload.label!.name = "ai:implement";
      payload.issue.number = 23;
      anthropic.push(
        goodPlan,
        tool("str_replace_based_edit_tool", { command: "str_replace", path: "/repo/README.md", old_str: "tipo", new_str: "typo" }),
        tool("finish", { summary: "Fixed the typo." }),
      );
      await deliver(app.webhookUrl, "issues", payload, WEBHOOK_SECRET);
      const run = await finished(23);
      expect(run.status).toBe("failed");
      expect(run.error).toMatch(
        /^Pushing the branch ai\/23-[a-z0-9-]+ to Codertocat\/Hello-World failed: the repository refused the push \(pre-receive hook declined\); it said: pushes are frozen for the release\.$/,
      );
      const comment = await lastComment(23);
      expect(comment).toContain("the repository refused the push");
      for (const text of [run.error!, comment]) {
        expect(text).not.toMatch(INTERNAL);
        expect(text).not.toContain(work);
      }
      expect(github.createdPulls()).toHaveLength(0);
    } finally {
      await rm(path.join(remote, "hooks/pre-receive"), { force: true });
    }
  });
});
