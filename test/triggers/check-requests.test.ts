import type { CheckRunCompletedEvent, CheckSuiteCompletedEvent } from "@octokit/webhooks-types";
import { describe, expect, it } from "vitest";
import { requestFromWebhook } from "../../src/triggers/requests.js";
import { examplePayload } from "../helpers/webhooks.js";

/** Completed checks → check requests, from the real payloads of @octokit/webhooks-examples. */

const OUR_APP = 987;
/** The example's check run fails; its suite succeeds, and is made to fail here where a failure is wanted. */
const failedRun = () => examplePayload<CheckRunCompletedEvent>("check_run", "completed");
const failedSuite = () => {
  const payload = examplePayload<CheckSuiteCompletedEvent>("check_suite", "completed");
  payload.check_suite.conclusion = "failure";
  return payload;
};

describe("check requests", () => {
  it("makes a failed check run on a pull request's head a check request for that pull request", () => {
    const payload = failedRun();
    expect(payload.check_run.conclusion).toBe("failure");
    expect(requestFromWebhook("check_run", payload, "d-1", OUR_APP)).toEqual({
      request: {
        deliveryId: "d-1",
        installationId: 1,
        owner: "Codertocat",
        repo: "Hello-World",
        defaultBranch: "master",
        number: 2,
        isPullRequest: true,
        sender: { login: "Codertocat", type: "User" },
        detail: { type: "check", event: "check_run", id: payload.check_run.id, headSha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821", conclusion: "failure", appId: 29310, name: "Octocoders-linter" },
      },
    });
  });

  it("makes a failed check suite a check request, without a name", () => {
    const decision = requestFromWebhook("check_suite", failedSuite(), "d-2", OUR_APP);
    expect("request" in decision && decision.request.detail).toEqual({ type: "check", event: "check_suite", id: 118578147, headSha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821", conclusion: "failure", appId: 29310 });
  });

  it("takes a timeout as a failure", () => {
    const payload = failedRun();
    payload.check_run.conclusion = "timed_out";
    expect("request" in requestFromWebhook("check_run", payload, "d-3", OUR_APP)).toBe(true);
  });

  it("ignores a success at once: a green check is the end of the loop", () => {
    expect(requestFromWebhook("check_suite", examplePayload("check_suite", "completed"), "d-4", OUR_APP)).toEqual({ ignored: "check success: nothing to fix" });
  });

  it("ignores the app's own check (its review's) at once", () => {
    const payload = failedRun();
    payload.check_run.app.id = OUR_APP;
    expect(requestFromWebhook("check_run", payload, "d-5", OUR_APP)).toEqual({ ignored: "our own check" });
  });

  it("ignores a check on no pull request, as GitHub sends a fork's", () => {
    const payload = failedSuite();
    payload.check_suite.pull_requests = [];
    expect(requestFromWebhook("check_suite", payload, "d-6", OUR_APP)).toEqual({ ignored: "the check is on no pull request of this repository (a fork's, or a branch without one)" });
  });

  it("ignores a pull request listed with another head, or whose head is in another repository", () => {
    const moved = failedRun();
    moved.check_run.pull_requests[0]!.head.sha = "1".repeat(40);
    expect(requestFromWebhook("check_run", moved, "d-7", OUR_APP)).toHaveProperty("ignored");
    const forked = failedRun();
    forked.check_run.pull_requests[0]!.head.repo.id = 42;
    expect(requestFromWebhook("check_run", forked, "d-8", OUR_APP)).toHaveProperty("ignored");
  });

  it("ignores other actions and payloads that are not what GitHub documents", () => {
    expect(requestFromWebhook("check_run", examplePayload("check_run", "created"), "d-9", OUR_APP)).toEqual({ ignored: "not a completed check run" });
    expect(requestFromWebhook("check_suite", { action: "completed", check_suite: { id: "x" } }, "d-10", OUR_APP)).toEqual({ ignored: "not a completed check suite" });
  });
});
