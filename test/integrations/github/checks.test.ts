import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LOG_TAIL_BYTES, LOG_TAIL_LINES, failingCheckDetails, failingChecksOn, logTail, rerunFailedJobs } from "../../../src/integrations/github/checks.js";
import { type FakeCi, fakeCi } from "../../helpers/fake-ci.js";
import { type FakeCheckRun, type FakeGitHub, fakeGitHub } from "../../helpers/fake-github.js";

/** The checks of a head as the CI autopilot reads them, against the fake GitHub and its CI. */

const SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const where = { owner: "Codertocat", repo: "Hello-World" };

describe("the checks of a head", () => {
  let github: FakeGitHub;
  let ci: FakeCi;
  const octokit = () => new ProbotOctokit({ auth: { token: "ghs_test" }, throttle: { enabled: false }, retry: { enabled: false } });

  beforeEach(async () => {
    github = fakeGitHub();
    ci = await fakeCi(github);
  });
  afterEach(async () => {
    github.done();
    await ci.close();
  });

  it("lists the failed and timed-out checks of other apps, not passing ones nor the app's own", async () => {
    const failed = ci.fail(SHA, { name: "test", log: "boom" });
    const slow = ci.fail(SHA, { name: "e2e", conclusion: "timed_out" });
    ci.pass(SHA, "lint");
    ci.fail(SHA, { name: "neutral", conclusion: "neutral" });
    github.checkRuns.push({ id: 1, name: "ai-agent review", head_sha: SHA, external_id: "", status: "completed", conclusion: "failure", app: { id: 9001, slug: "ai-agent" } });
    const checks = await failingChecksOn(octokit(), where, SHA, "ai-agent");
    expect(checks.map((c) => c.name)).toEqual(["test", "e2e"]);
    expect(checks[0]).toMatchObject({ id: failed.id, conclusion: "failure", appSlug: "github-actions", actions: { jobId: failed.id, runId: 9_000_000 + failed.id } });
    expect(checks[1]!.id).toBe(slow.id);
  });

  it("reads each failing check's annotations and the end of its job's log, through GitHub's redirect", async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i + 1}`);
    ci.fail(SHA, { name: "test", log: lines.join("\n"), annotations: [{ path: "src/a.ts", start_line: 3, end_line: 3, annotation_level: "failure", title: "TS2322", message: "Type 'number' is not assignable" }] });
    const [check] = await failingCheckDetails(octokit(), where, await failingChecksOn(octokit(), where, SHA, "ai-agent"));
    expect(check!.annotations).toEqual([{ path: "src/a.ts", line: 3, level: "failure", title: "TS2322", message: "Type 'number' is not assignable" }]);
    expect(check!.logTail.split("\n")).toEqual(lines.slice(-LOG_TAIL_LINES));
    // The download host got no token: only GitHub's API does.
    expect(ci.downloads).toHaveLength(1);
    expect(ci.downloads[0]!.authorization).toBeUndefined();
  });

  it("keeps at most LOG_TAIL_BYTES of a log of long lines, cut at a line", () => {
    const tail = logTail(`${"x".repeat(15_000)}\n${"y".repeat(15_000)}\nthe error\n`);
    expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(LOG_TAIL_BYTES);
    expect(tail.endsWith("the error")).toBe(true);
    expect(tail).not.toContain("x");
  });

  it("gives an empty tail for a log that is gone, and the rest of the check still", async () => {
    ci.fail(SHA, { name: "test", summary: "1 failed" }); // no log: GitHub's 404
    const [check] = await failingCheckDetails(octokit(), where, await failingChecksOn(octokit(), where, SHA, undefined));
    expect(check).toMatchObject({ name: "test", summary: "1 failed", logTail: "" });
  });

  it("says so when GitHub's answer is not in the documented shape", async () => {
    github.checkRuns.push({ id: "seven", name: "test", head_sha: SHA } as unknown as FakeCheckRun);
    await expect(failingChecksOn(octokit(), where, SHA, undefined)).rejects.toThrow(/check runs on ec26c3e was not in the documented shape/);
  });

  it("re-runs the failed jobs of each Actions run once, finding the run of a job whose address does not name it", async () => {
    const first = ci.fail(SHA, { name: "test" });
    const second = ci.fail(SHA, { name: "lint" });
    // An older check address names the job only: its run is asked of the jobs API.
    second.details_url = `https://github.com/Codertocat/Hello-World/runs/${second.id}`;
    const checks = await failingChecksOn(octokit(), where, SHA, undefined);
    const reran = await rerunFailedJobs(octokit(), where, [...checks, checks[0]!]);
    expect(reran).toEqual([9_000_000 + first.id, 9_000_000 + second.id]);
    expect(ci.reruns).toEqual(reran);
    expect(github.requests.some((r) => r.path.endsWith(`/actions/jobs/${second.id}`))).toBe(true);
  });
});
