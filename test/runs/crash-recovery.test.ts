import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CRASH_POINTS, CrashRig } from "../helpers/crash-rig.js";

/**
 * The app's own process killed in the middle of an implement run and started again (the full set,
 * twenty trials at every point, is `npm run bench:crash`): the sharpest two points here — GitHub
 * created the pull request but the app never heard, and a graceful stop during a tracking-comment
 * edit — each end in one run, one pull request, one final tracking comment, no Slack duplicate,
 * and a repository the next run can use.
 */
describe("kill anywhere (app process, PostgreSQL, real HTTP services)", () => {
  let rig: CrashRig;
  beforeAll(async () => {
    rig = await CrashRig.start({ lockLifetimeMs: 4_000, shutdownTimeoutMs: 2_000 });
  }, 60_000);
  afterAll(() => rig?.close());

  const point = (id: string) => CRASH_POINTS.find((p) => p.id === id)!;

  it("SIGKILL after GitHub created the pull request: the resumed run finds it and opens no second one", async () => {
    const result = await rig.trial(point("after-pr"), "SIGKILL");
    expect(result.problems, rig.logs().slice(-4000)).toEqual([]);
    expect(rig.github.pulls).toHaveLength(1);
    expect(rig.github.requests.filter((r) => r.method === "POST" && r.path.endsWith("/pulls")).length).toBe(1);
  }, 150_000);

  it("SIGTERM during a tracking-comment edit: the run resumes on the next process and the next run is unharmed", async () => {
    const result = await rig.trial(point("comment-edit"), "SIGTERM");
    expect(result.problems, rig.logs().slice(-4000)).toEqual([]);
    expect(result.exitMs).toBeGreaterThanOrEqual(1_900);
    const next = await rig.cleanRun();
    expect(next.problems).toEqual([]);
    expect(rig.github.pulls.map((p) => p.head)).toEqual([
      "ai/1-spelling-error-in-the-readme-file",
      "ai/2-spelling-error-in-the-readme-file",
      "ai/3-spelling-error-in-the-readme-file",
    ]);
  }, 200_000);
});
