import { describe, expect, it } from "vitest";
import { executeRun } from "../../src/runs/execute-run.js";
import { postgresRuns, until } from "../helpers/postgres-runs.js";
import { lines, testActions } from "../workflow/helpers.js";

/**
 * The tracking comment follows a run without holding it up: GitHub spaces an installation's writes
 * a second apart, so each step waiting for its edit made a run as long as its writes. Here GitHub
 * holds its answer to a comment write, and the steps go on meanwhile; the edits shown while it
 * was held reach GitHub as one, the newest, and the run ends only once its final state has landed.
 */

const CONFIG = lines(
  "version: 1",
  "workflows:",
  "  implement:",
  "    steps:",
  "      - { id: one, name: First, uses: test.echo, with: { value: 1 } }",
  "      - { id: two, name: Second, uses: test.echo, with: { value: 2 } }",
  "      - { id: three, name: Third, uses: test.echo, with: { value: 3 } }",
);

describe("the tracking comment, behind the run", () => {
  const runs = postgresRuns(CONFIG);
  const repo = "Codertocat/Hello-World";

  it("runs every step while GitHub still holds its answer to the edit before them, then sends the final state alone", async () => {
    const { store, github } = runs;
    // A run resumed by another worker: its comment is there, so the first write is an edit.
    const created = await store.createRun({ repo, installationId: 1, number: 7, kind: "issue", task: "implement", trigger: "label", actor: "Codertocat" });
    const run = await store.updateRun(created.id, {
      status: "running",
      startedAt: new Date(),
      links: { trackingCommentId: "4242", trackingComment: `https://github.com/${repo}/issues/7#issuecomment-4242` },
    });
    const { actions, calls } = testActions();
    const hold = github.holdCommentAnswer("PATCH");
    const before = github.comments().length;
    let ended = false;
    const finished = executeRun(run!.id, runs.deps(actions)).finally(() => (ended = true));

    const edit = await hold.arrived;
    expect(edit.path).toBe(`/repos/${repo}/issues/comments/4242`);
    // Every step ran and was stored while that edit's answer was still on its way.
    await until(async () => (calls.length === 3 ? true : undefined));
    await until(async () => ((await store.getRun(run!.id))?.steps.every((s) => s.status === "succeeded") ? true : undefined));
    // But the run is marked finished, and its job ends, only once its progress has reached the comment.
    expect(ended).toBe(false);
    expect((await store.getRun(run!.id))?.status).toBe("running");
    expect(github.comments().slice(before)).toHaveLength(1);

    hold.release();
    expect(await finished).toBe("finished");
    const written = github.comments().slice(before);
    // The held edit, the newest progress, the outcome: the states shown in between (the steps
    // declared, three starts, three ends) were replaced while the edit was held, not sent one by one.
    expect(written.map((c) => c.method)).toEqual(["PATCH", "PATCH", "PATCH"]);
    expect(written[1]!.body).toContain("⏳ **Working on it…**");
    expect(written[1]!.body).toContain("- ✅ First\n- ✅ Second\n- ✅ Third");
    expect(written[2]!.body).toContain("✅ **Done**");
    expect((await store.getRun(run!.id))?.status).toBe("succeeded");
  });

  it("starts the steps while the comment's first post is still on its way, and edits that comment, never a second", async () => {
    const { store, github } = runs;
    const run = await store.createRun({ repo, installationId: 1, number: 8, kind: "issue", task: "implement", trigger: "label", actor: "Codertocat" });
    const { actions, calls } = testActions();
    const hold = github.holdCommentAnswer("POST");
    const before = github.comments().length;
    const finished = executeRun(run.id, runs.deps(actions));

    const post = await hold.arrived;
    expect(post.path).toBe(`/repos/${repo}/issues/8/comments`);
    await until(async () => (calls.length === 3 ? true : undefined));
    // The steps are stored as done while the comment is not yet there.
    await until(async () => ((await store.getRun(run.id))?.steps.every((s) => s.status === "succeeded") ? true : undefined));

    hold.release();
    expect(await finished).toBe("finished");
    const written = github.comments().slice(before);
    // Posted once, then edited: what the steps showed meanwhile went out as the newest state.
    expect(written.map((c) => c.method)).toEqual(["POST", "PATCH", "PATCH"]);
    expect(written[0]!.body).toContain("⏳ **Working on it…**");
    expect(written[1]!.body).toContain("- ✅ First\n- ✅ Second\n- ✅ Third");
    expect(written[2]!.body).toContain("✅ **Done**");
    const links = (await store.getRun(run.id))?.links;
    for (const edit of written.slice(1)) expect(edit.path).toBe(`/repos/${repo}/issues/comments/${links?.trackingCommentId}`);
  });
});
