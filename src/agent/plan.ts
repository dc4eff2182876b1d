import { z } from "zod";
import { neutralizeForGitHub, neutralizeTitleForGitHub } from "../integrations/github/safe-markdown.js";
import { UserFacingError } from "../core/errors.js";
import { editedNote, repositoryInstructions, repositoryMap } from "./context.js";
import { runLoop } from "./loop.js";
import { PathPolicy } from "./paths.js";
import { renderPrompt } from "./prompts.js";
import type { TaskTracker } from "../integrations/kinds/task-tracker.js";
import type { ModelAccess } from "./model-access.js";
import type { RunWorkspace } from "./run-workspace.js";
import type { RunSubject } from "./subject.js";
import { ToolSet } from "./tools/index.js";

/**
 * `ai.plan`: the model reads the code (view, find, search; nothing it can change) and answers
 * through `submit_plan`, whose schema holds the plan's parts. The plan is given as markdown (`body`),
 * which the built-in plan workflow shows in the run's tracking comment, so `/ai plan` leaves one
 * comment; with `comment` it is posted as a comment of its own too. With `plan.create_sub_issues`
 * its steps become sub-issues of the issue.
 */

export const planSchema = z.object({
  summary: z.string().min(1),
  steps: z.array(z.object({ title: z.string().min(1), details: z.string().default("") })).min(1),
  files: z.array(z.string()).default([]),
  risks: z.array(z.string()).default([]),
  questions: z.array(z.string()).default([]),
  estimate: z.string().default("not given"),
});
export type Plan = z.output<typeof planSchema>;

const SUBMIT_PLAN = {
  name: "submit_plan",
  description: "Submit the finished plan. Call once, at the end.",
  input_schema: {
    type: "object" as const,
    properties: {
      summary: { type: "string", description: "What will be done and why, in a few sentences." },
      steps: { type: "array", items: { type: "object", properties: { title: { type: "string" }, details: { type: "string" } }, required: ["title"] } },
      files: { type: "array", items: { type: "string" }, description: "Files likely touched, relative to the repository root." },
      risks: { type: "array", items: { type: "string" } },
      questions: { type: "array", items: { type: "string" }, description: "Open questions for the people who asked." },
      estimate: { type: "string", description: "e.g. \"2 pull requests, about a day\"" },
    },
    required: ["summary", "steps", "estimate"],
  },
};

export interface PlanOutputs {
  summary: string;
  steps: string[];
  files: string[];
  comment_url: string | null;
  /** The whole plan as markdown, as its comment shows it. */
  body: string;
  [key: string]: unknown;
}

/** What a plan works with: the run's subject, the model, a workspace to read the code in. */
export interface PlanRun extends RunSubject {
  model: ModelAccess;
  workspace: RunWorkspace;
}

export async function plan(
  session: PlanRun,
  input: { instructions?: string | undefined; comment: boolean },
  signal?: AbortSignal,
  /** The run's task trackers whose settings ask for the plan's steps as tasks (notify.jira.create_tasks). */
  trackers: readonly TaskTracker[] = [],
): Promise<PlanOutputs> {
  const { config, target } = session;
  const issue = await session.source.issue();
  const provider = session.model.provider;
  const budget = await session.model.budget();
  // A branch of its own, never pushed: two plans of one repository may run at once.
  const workspace = await session.workspace.workspace(`ai-plan/${target.runId}`);
  let submitted: Plan | undefined;
  const policy = new PathPolicy(workspace.dir, { protectedPaths: [], allowProtected: false });
  const tools = new ToolSet({
    policy,
    readOnly: true,
    finishTool: {
      ...SUBMIT_PLAN,
      parse(value) {
        submitted = planSchema.parse(value);
        return { summary: submitted.summary };
      },
    },
  });
  const repo = `${target.owner}/${target.repo}`;
  const result = await runLoop({
    provider,
    model: config.models.plan,
    maxTokens: config.models.max_tokens,
    maxTurns: config.agent.max_turns,
    system: await renderPrompt("system-plan", { repo }),
    context: await renderPrompt("repository", { repo, default_branch: target.defaultBranch, instructions: await repositoryInstructions(policy), map: await repositoryMap(policy) }),
    task: await renderPrompt("task", { mode: "plan", issue, actor: target.actor, instructions: input.instructions ?? "", plan: "" }),
    tools,
    budget,
    ...(signal ? { signal } : {}),
  });
  if (!result.finished || !submitted) throw new UserFacingError("The planner ended without submitting a plan.");
  const planned: Plan & { steps: (Plan["steps"][number] & { issue: string | null })[] } = {
    ...submitted,
    steps: submitted.steps.map((step) => ({ ...step, issue: null })),
  };

  const github = session.source.github;
  if (config.plan.create_sub_issues && github) {
    const { owner, repo: name, number } = target;
    for (const step of planned.steps) {
      const requester = { requester: target.actor };
      const { data: created } = await github.rest.issues.create({ owner, repo: name, title: neutralizeTitleForGitHub(step.title, requester), body: neutralizeForGitHub(`${step.details}\n\nPart of #${number}.`.trim(), requester) });
      await github.request("POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues", { owner, repo: name, issue_number: number, sub_issue_id: created.id });
      step.issue = `#${created.number}`;
    }
  }
  for (const tracker of trackers.filter((t) => t.planTasks)) {
    for (const step of planned.steps) {
      const task = await tracker.createTask(step.title, `${step.details}\n\nFrom the plan of ${target.owner}/${target.repo}#${target.number}.`.trim());
      step.issue = step.issue ? `${step.issue}, ${task.key}` : task.key;
    }
  }
  let commentUrl: string | null = null;
  // What the model wrote is posted: no mention but the requester's, no closing keyword, no raw HTML.
  const body = `${neutralizeForGitHub(await renderPrompt("plan-comment", { issue: target.number, plan: planned }), { requester: target.actor })}${editedNote(issue)}`;
  if (input.comment && github) {
    const { data } = await github.rest.issues.createComment({ owner: target.owner, repo: target.repo, issue_number: target.number, body });
    commentUrl = data.html_url;
  }
  return { summary: `${neutralizeForGitHub(planned.summary, { requester: target.actor })}${editedNote(issue)}`, steps: planned.steps.map((step) => step.title), files: planned.files, comment_url: commentUrl, body };
}
