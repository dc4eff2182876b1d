import { describe, expect, it } from "vitest";
import { executeRun } from "../../src/runs/execute-run.js";
import { statusText } from "../../src/runs/status-text.js";
import { postgresRuns, until } from "../helpers/postgres-runs.js";
import { lines, testActions } from "../workflow/helpers.js";

/**
 * What people read about a run in progress and when it ends, from a real workflow run through the
 * engine, the store and the tracking comment: `/ai status` counts the workflow's steps, and the
 * tracking comment says why a step was skipped and links what the run opened by name.
 */

/** Five steps and one post step: six, counted from the first. */
const CONFIG = lines(
  "version: 1",
  "workflows:",
  "  implement:",
  "    steps:",
  "      - { id: plan, name: Plan, uses: test.echo, with: { value: planned } }",
  "      - { id: code, name: Change the code, uses: test.sleep, with: { ms: 1500 } }",
  "      - { id: test, name: Run the tests, if: steps.plan.outputs.value and config.agent.commands.test, uses: test.echo, with: { value: tested } }",
  "      - { id: check, name: Check the greeting, if: \"steps.plan.outputs.value == 'hello'\", uses: test.echo, with: { value: checked } }",
  '      - { id: open, name: Open the pull request, uses: test.echo, with: { value: "https://github.com/Codertocat/Hello-World/pull/2" } }',
  "    outputs:",
  '      pull_request: "{{ steps.open.outputs.value }}"',
  "    post:",
  "      always:",
  "        - { id: notify, name: Notify Slack, if: config.notify.slack, uses: test.echo, with: { value: sent } }",
);

describe("a run's progress, as people read it", () => {
  const runs = postgresRuns(CONFIG);

  it("counts every step of the workflow in /ai status, and says in the tracking comment why steps were skipped", async () => {
    const { store, github } = runs;
    const run = await store.createRun({ repo: "Codertocat/Hello-World", installationId: 1, number: 1, kind: "issue", task: "implement", trigger: "label", actor: "Codertocat" });
    const runUrl = (id: string) => `https://ai.example.com/runs/${id}`;
    const { actions } = testActions();
    const finished = executeRun(run.id, runs.deps(actions, runUrl));

    const running = await until(async () => {
      const current = await store.getRun(run.id);
      return current?.steps.some((s) => s.id === "code" && s.status === "running") ? current : undefined;
    });
    // The steps still to come are recorded pending, so the count is of the whole workflow.
    expect(running.steps.map((s) => [s.id, s.status])).toEqual([
      ["plan", "succeeded"],
      ["code", "running"],
      ["test", "pending"],
      ["check", "pending"],
      ["open", "pending"],
      ["notify", "pending"],
    ]);
    const status = statusText([running], runUrl);
    expect(status).toMatch(new RegExp(`^- \\[implement run\\]\\(https://ai\\.example\\.com/runs/${run.id}\\): running for \\d+s, step \\*\\*Change the code\\*\\* \\(2 of 6\\), cost so far \\$0\\.00$`));
    // The comment is edited just after the step is stored: wait for that edit, not only the store.
    const working = await until(async () => github.comments().map((c) => c.body).find((body) => body.includes("- ⏳ Change the code")));
    expect(working).toContain("- ⏳ Change the code\n- ⬜ Run the tests\n");

    expect(await finished).toBe("finished");
    const done = await store.getRun(run.id);
    expect(done?.status).toBe("succeeded");
    expect(statusText([{ ...done!, status: "running" }], runUrl)).toContain(", 6 of 6 steps done,");
    const comments = github.comments();
    expect(comments.filter((c) => c.method === "POST")).toHaveLength(1);
    const final = comments.at(-1)!.body;
    expect(final.startsWith(`<!-- ai-agent:run:${run.id} -->\n✅ **Done** in `)).toBe(true);
    expect(final).toContain(
      [
        "- ✅ Plan",
        "- ✅ Change the code",
        "- ⏭️ Run the tests — skipped: `agent.commands.test` is not set in `.github/ai-agent.yml`",
        "- ⏭️ Check the greeting — skipped: its condition `steps.plan.outputs.value == 'hello'` was false",
        "- ✅ Open the pull request",
        "- ⏭️ Notify Slack — skipped: `notify.slack` is not set in `.github/ai-agent.yml`",
        "",
        "- [Pull request #2](https://github.com/Codertocat/Hello-World/pull/2)",
      ].join("\n"),
    );
    expect(final).not.toContain("pull_request:");
  });
});
