import { z } from "zod";
import { neutralizeForGitHub } from "../integrations/github/safe-markdown.js";
import { UserFacingError } from "../core/errors.js";
import { editedNote, repositoryInstructions, repositoryMap } from "./context.js";
import { type DocContext, readDocContext } from "./doc-context.js";
import type { RunIntegrations } from "../integrations/kinds/parts.js";
import { runLoop } from "./loop.js";
import type { RunEventSink } from "./run-event-log.js";
import { PathPolicy } from "../workspace/paths.js";
import { renderPrompt } from "./prompts.js";
import type { PlanTask } from "../core/plan-tasks.js";
import type { ModelAccess } from "./model-access.js";
import type { RunWorkspace } from "./run-workspace.js";
import type { RunSubject } from "./subject.js";
import { ToolSet } from "./tools/index.js";

/**
 * `ai.plan`: the model reads the code (view, find, search; nothing it can change) and answers
 * through `submit_plan`, whose schema holds the plan's parts. The plan is given as markdown (`body`),
 * which the built-in plan workflow shows in the run's tracking comment, so `/ai plan` leaves one
 * comment; with `comment` it is posted as a comment of its own too.
 *
 * It only plans. Its steps, as `tasks`, are for later steps to open as sub-issues or tracker tasks
 * (`github.create_sub_issues`, `jira.create_tasks`), each idempotent and undone by a rollback, which
 * an action that made them half-way through its own work could not be. So the plan's body names no
 * sub-issue: the workflow's summary joins the body, the lists those steps output, and `note` (kept
 * apart so that it still ends the whole). Rendering the plan again at the end instead would take
 * another action carrying the whole plan through the run's outputs; the lists are short, and each
 * step's own output then says what that step made.
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
  /** The steps with their details, for the steps that open them as issues or tasks. */
  tasks: PlanTask[];
  files: string[];
  comment_url: string | null;
  /** The whole plan as markdown, as its comment shows it, without `note`. */
  body: string;
  /** That the issue was edited after the request, for the end of what shows the plan; empty otherwise. */
  note: string;
  [key: string]: unknown;
}

/** What a plan works with: the run's subject, the model, a workspace to read the code in. */
export interface PlanRun extends RunSubject {
  model: ModelAccess;
  workspace: RunWorkspace;
  /** Where the planner's tool calls are recorded: the run's event log, for the step it works in. */
  events?: RunEventSink;
}

export async function plan(
  session: PlanRun,
  input: { instructions?: string | undefined; comment: boolean },
  signal?: AbortSignal,
  /** The run's doc stores, for `plan.context`. */
  integrations?: RunIntegrations,
): Promise<PlanOutputs> {
  const { config, target } = session;
  const issue = await session.source.issue();
  const context: DocContext = await readDocContext(config.plan.context, integrations, issue.title);
  const provider = session.model.provider;
  const budget = await session.model.budget();
  // A branch of its own, never pushed: two plans of one repository may run at once.
  const workspace = await session.workspace.workspace(`ai-plan/${target.runId}`);
  let submitted: Plan | undefined;
  const policy = new PathPolicy(workspace.dir, { protectedPaths: [], allowProtected: false });
  const tools = new ToolSet({
    policy,
    readOnly: true,
    ...(session.events ? { events: session.events } : {}),
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
    task: await renderPrompt("task", { mode: "plan", issue, actor: target.actor, instructions: input.instructions ?? "", plan: "", documents: context.documents }),
    tools,
    budget,
    ...(signal ? { signal } : {}),
  });
  if (!result.finished || !submitted) throw new UserFacingError("The planner ended without submitting a plan.");
  // What the model wrote is posted: no mention but the requester's, no closing keyword, no raw HTML.
  const requester = { requester: target.actor };
  const body = neutralizeForGitHub(await renderPrompt("plan-comment", { issue: target.number, plan: submitted, documents: context.documents }), requester);
  const note = `${context.problems.map((problem) => `\n\n_${neutralizeForGitHub(problem, requester)}_`).join("")}${editedNote(issue)}`;
  let commentUrl: string | null = null;
  const forge = session.source.versionControl;
  if (input.comment && forge) commentUrl = (await forge.comment(target.number, `${body}${note}`)).url;
  return {
    summary: `${neutralizeForGitHub(submitted.summary, requester)}${note}`,
    steps: submitted.steps.map((step) => step.title),
    tasks: submitted.steps.map((step) => ({ title: step.title, details: step.details })),
    files: submitted.files,
    comment_url: commentUrl,
    body,
    note,
  };
}
