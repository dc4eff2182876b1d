import { describe, expect, it } from "vitest";
import { parseRepoConfig } from "../../src/workflow/repo-config.js";
import { builtInActions } from "../../src/workflow/actions/index.js";
import { BUILT_IN_WORKFLOW_NAMES, builtInWorkflows, effectiveWorkflows } from "../../src/workflow/built-in.js";
import { renderValue } from "../../src/workflow/template.js";
import { checkWorkflows } from "../../src/workflow/validate.js";

describe("built-in workflows", () => {
  const workflows = builtInWorkflows();

  it("ships implement, plan, review, ask, hotfix and docs, all valid", () => {
    expect(Object.keys(workflows).sort()).toEqual([...BUILT_IN_WORKFLOW_NAMES].sort());
    expect(checkWorkflows(workflows, workflows, builtInActions())).toEqual([]);
  });

  it("implements as plan → code → test → self-review → test again → push → pull request, then notifies", () => {
    const implement = workflows.implement!;
    expect(implement.steps.map((s) => s.uses)).toEqual(["ai.plan", "ai.implement", "shell.run", "ai.self_review", "shell.run", "git.push", "github.create_pull_request"]);
    expect(implement.post.always.map((s) => s.uses)).toEqual(["slack.post"]);
    expect(String(implement.steps.find((s) => s.id === "pull_request")?.with?.body)).toMatch(/^\{\{ steps\.code\.outputs\.pr_body \}\}\n\n### Tests\n/);
    // What changed the outside world is undone if opening the pull request fails.
    expect(implement.steps.filter((s) => s.on_error === "rollback").map((s) => s.id)).toEqual(["test", "self_review", "retest", "push", "pull_request"]);
  });

  it("reviews the agent's change when agent.self_review is on, and tests again only when the review changed it", () => {
    for (const name of ["implement", "hotfix"]) {
      const steps = workflows[name]!.steps;
      const ids = steps.map((s) => s.id);
      expect(ids.slice(ids.indexOf("test"), ids.indexOf("push") + 1)).toEqual(["test", "self_review", "retest", "push"]);
      const review = steps.find((s) => s.id === "self_review")!;
      expect([review.if, review.with?.branch]).toEqual(["steps.code.outputs.changed and config.agent.self_review", "{{ steps.code.outputs.branch }}"]);
      const retest = steps.find((s) => s.id === "retest")!;
      expect([retest.if, retest.with]).toEqual(["steps.self_review.outputs.changed and config.agent.commands.test", steps.find((s) => s.id === "test")!.with]);
    }
  });

  it("completes the pull request body with the test step's result, which runs before the pull request opens", () => {
    for (const name of ["implement", "hotfix"]) {
      const steps = workflows[name]!.steps;
      expect(steps.findIndex((s) => s.id === "test")).toBeLessThan(steps.findIndex((s) => s.id === "pull_request"));
      const body = steps.find((s) => s.id === "pull_request")!.with!.body;
      // Without a section the self-review was skipped (its outputs null), as with agent.self_review: false.
      const scope = (status: string, test: string | null, section?: string) => ({
        steps: {
          code: { status: "succeeded", outputs: { pr_body: "Fixed the typo.\n\nCloses #1" } },
          test: { status, outputs: {} },
          self_review: section ? { status: "succeeded", outputs: { section } } : { status: "skipped", outputs: null },
        },
        config: { agent: { commands: { test } } },
      });
      expect(renderValue(body, scope("succeeded", "npm test"))).toBe("Fixed the typo.\n\nCloses #1\n\n### Tests\n`npm test` passed on this branch before the pull request was opened.");
      expect(renderValue(body, scope("skipped", null))).toBe(
        "Fixed the typo.\n\nCloses #1\n\n### Tests\nNot run: the repository sets no test command (`agent.commands.test` in `.github/ai-agent.yml`).",
      );
      expect(renderValue(body, scope("succeeded", "npm test", "### Self-review\nFound nothing."))).toBe("Fixed the typo.\n\nCloses #1\n\n### Tests\n`npm test` passed on this branch before the pull request was opened.\n\n### Self-review\nFound nothing.");
    }
  });

  it("plans into the run's tracking comment: no plan comment of its own; sub-issues, Jira and Linear tasks and the Confluence page are steps of their own", () => {
    const plan = workflows.plan!;
    expect(plan.steps.map((s) => [s.id, s.uses, s.if ?? null])).toEqual([
      ["plan", "ai.plan", null],
      ["sub_issues", "github.create_sub_issues", "config.plan.create_sub_issues"],
      ["jira_tasks", "jira.create_tasks", "config.notify.jira.create_tasks"],
      ["linear_tasks", "linear.create_tasks", "config.notify.linear.create_tasks"],
      ["confluence_page", "docs.confluence.publish", "config.docs.confluence.publish_plans"],
    ]);
    expect(plan.steps[0]!.with?.comment).toBe(false);
    for (const step of plan.steps.slice(1, 4)) expect(step.with).toEqual({ tasks: "{{ steps.plan.outputs.tasks }}" });
    // One page per issue: a re-run of /ai plan updates it.
    expect(plan.steps[4]!.with).toMatchObject({ body: "{{ steps.plan.outputs.body }}", key: "plan-{{ issue.number }}" });
    expect(plan.outputs?.summary).toMatch(
      /^\{\{ steps\.plan\.outputs\.body \}\}.*steps\.sub_issues\.outputs\.list.*steps\.jira_tasks\.outputs\.list.*steps\.linear_tasks\.outputs\.list.*steps\.confluence_page\.outputs\.url.*\{\{ steps\.plan\.outputs\.note \}\}$/s,
    );
  });

  it("gives hotfix a smaller turn budget and a hotfix/ branch", () => {
    const code = workflows.hotfix!.steps.find((s) => s.uses === "ai.implement");
    expect(code?.with).toMatchObject({ branch_prefix: "hotfix/", max_turns: 15 });
    expect(workflows.hotfix!.steps.some((s) => s.uses === "ai.plan")).toBe(false);
  });

  it("limits docs to documentation paths", () => {
    const code = workflows.docs!.steps.find((s) => s.uses === "ai.implement");
    expect(code?.with?.allowed_paths).toEqual(["docs/**", "**/*.md", "**/*.mdx", "**/*.rst", "**/*.adoc"]);
  });

  it("lets a repository replace one and keep the rest", () => {
    const text = ["version: 1", "workflows:", "  review:", "    steps:", "      - { id: only, uses: ai.review, with: { full: true } }", ""].join("\n");
    const result = parseRepoConfig(text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const effective = effectiveWorkflows(result.config.workflows);
    expect(effective.review!.steps.map((s) => s.id)).toEqual(["only"]);
    expect(effective.implement).toEqual(workflows.implement);
    // Each call gets its own copy: changing one does not change the next.
    effective.implement!.steps.pop();
    expect(builtInWorkflows().implement!.steps).toHaveLength(7);
  });
});
