import { parse } from "yaml";
import { type Workflows, workflowsSchema } from "../config/workflow-schema.js";

/**
 * The workflows every repository has. A repository overrides one by writing a workflow of the same
 * name under `workflows:` in `.github/ai-agent.yml`; the rest stay as here. They are written in the
 * same YAML a repository would write, and a test checks them with the same validation.
 */
/**
 * The end of the pull request body, once the test step has run (it runs before the pull request is
 * opened): its result, or why it did not run. A failing test rolls the run back, so no pull request
 * says "failed". Written for a double-quoted YAML string.
 */
const TESTS_SECTION = [
  "\\n\\n### Tests\\n",
  "{% if steps.test.status == 'succeeded' %}`{{ config.agent.commands.test }}` passed on this branch before the pull request was opened.",
  "{% else %}Not run: the repository sets no test command (`agent.commands.test` in `.github/ai-agent.yml`).{% endif %}",
].join("");

/**
 * The plan's summary, after the plan itself: the sub-issues, Jira and Linear tasks its steps became, each
 * list from the step that made it (a skipped step's list is null, and its section is left out).
 * Written for a double-quoted YAML string.
 */
const PLAN_TASKS_SECTIONS = [
  "{% if steps.sub_issues.outputs.list %}\\n\\n### Sub-issues\\n{{ steps.sub_issues.outputs.list }}{% endif %}",
  "{% if steps.jira_tasks.outputs.list %}\\n\\n### Jira tasks\\n{{ steps.jira_tasks.outputs.list }}{% endif %}",
  "{% if steps.linear_tasks.outputs.list %}\\n\\n### Linear tasks\\n{{ steps.linear_tasks.outputs.list }}{% endif %}",
  "{% if steps.confluence_page.outputs.url %}\\n\\n### Confluence\\n[{{ steps.confluence_page.outputs.title | replace: '[', '(' | replace: ']', ')' }}]({{ steps.confluence_page.outputs.url }}){% endif %}",
].join("");

/**
 * What the self-review found on the agent's change and what was done, after the tests' result; a
 * skipped self-review's section is null, and left out. Written for a double-quoted YAML string.
 */
const SELF_REVIEW_SECTION = "{% if steps.self_review.outputs.section %}\\n\\n{{ steps.self_review.outputs.section }}{% endif %}";

/**
 * The self-review of the agent's change, then the tests once more when it changed anything; both
 * roll back like the tests, so a branch is never left without its pull request. Indented for the
 * steps of a built-in workflow.
 */
const selfReviewSteps = (timeout: string, maxTurns = "") => `
    - id: self_review
      name: Review the change
      if: steps.code.outputs.changed and config.agent.self_review
      uses: ai.self_review
      with: { branch: "{{ steps.code.outputs.branch }}"${maxTurns ? `, max_turns: ${maxTurns}` : ""} }
      on_error: rollback
    - id: retest
      name: Run the tests again
      if: steps.self_review.outputs.changed and config.agent.commands.test
      uses: shell.run
      with: { run: "{{ config.agent.commands.test | argv }}" }
      timeout: ${timeout}
      on_error: rollback`;

export const BUILT_IN_WORKFLOWS_YAML = `
implement:
  description: Plan, change the code, run the tests, push a branch and open a pull request that closes the issue.
  prerequisites:
    - if: issue.state != "closed"
      message: "Issue #{{ issue.number }} is closed; reopen it to have it implemented."
  steps:
    - id: plan
      name: Plan
      uses: ai.plan
      with: { instructions: "{{ run.input }}", comment: false }
    - id: code
      name: Change the code
      uses: ai.implement
      with:
        instructions: "{{ run.input }}"
        plan: "{{ steps.plan.outputs.summary }}"
    - id: test
      name: Run the tests
      if: steps.code.outputs.changed and config.agent.commands.test
      uses: shell.run
      with: { run: "{{ config.agent.commands.test | argv }}" }
      timeout: 30m
      on_error: rollback${selfReviewSteps("30m")}
    - id: push
      name: Push the branch
      if: steps.code.outputs.changed
      uses: git.push
      with: { branch: "{{ steps.code.outputs.branch }}" }
      retry: { attempts: 3, backoff: 5s }
      on_error: rollback
    - id: pull_request
      name: Open the pull request
      if: steps.code.outputs.changed
      uses: github.create_pull_request
      with:
        title: "{{ issue.title }}"
        head: "{{ steps.push.outputs.branch }}"
        draft: "{{ config.agent.draft_pull_requests }}"
        body: "{{ steps.code.outputs.pr_body }}${TESTS_SECTION}${SELF_REVIEW_SECTION}"
      retry: { attempts: 3, backoff: 5s }
      on_error: rollback
  outputs:
    summary: "{{ steps.code.outputs.summary }}"
    pull_request: "{{ steps.pull_request.outputs.url }}"
  post:
    always:
      - id: notify
        name: Notify Slack
        if: config.notify.slack
        uses: slack.post
        with: { text: "{{ repo.full_name }}#{{ issue.number }}: {{ run.task }} run {{ run.id }} finished" }
        on_error: continue

plan:
  description: Post a plan of the issue in the run's tracking comment; with plan.create_sub_issues, open its steps as sub-issues, with notify.jira.create_tasks as Jira tasks, with notify.linear.create_tasks as Linear sub-issues, with docs.confluence.publish_plans as a Confluence page.
  steps:
    - id: plan
      name: Plan
      uses: ai.plan
      with: { instructions: "{{ run.input }}", comment: false }
    - id: sub_issues
      name: Open sub-issues
      if: config.plan.create_sub_issues
      uses: github.create_sub_issues
      with: { tasks: "{{ steps.plan.outputs.tasks }}" }
      retry: { attempts: 3, backoff: 5s }
    - id: jira_tasks
      name: Create Jira tasks
      if: config.notify.jira.create_tasks
      uses: jira.create_tasks
      with: { tasks: "{{ steps.plan.outputs.tasks }}" }
      retry: { attempts: 3, backoff: 5s }
    - id: linear_tasks
      name: Create Linear tasks
      if: config.notify.linear.create_tasks
      uses: linear.create_tasks
      with: { tasks: "{{ steps.plan.outputs.tasks }}" }
      retry: { attempts: 3, backoff: 5s }
    - id: confluence_page
      name: Publish the plan to Confluence
      if: config.docs.confluence.publish_plans
      uses: docs.confluence.publish
      with:
        title: "Plan: {{ issue.title | truncate: 180 }} ({{ repo.full_name }}#{{ issue.number }})"
        body: "{{ steps.plan.outputs.body }}"
        key: "plan-{{ issue.number }}"
      retry: { attempts: 3, backoff: 5s }
  outputs:
    summary: "{{ steps.plan.outputs.body }}${PLAN_TASKS_SECTIONS}{{ steps.plan.outputs.note }}"

review:
  description: Review the pull request with inline comments on its diff.
  steps:
    - id: review
      name: Review
      uses: ai.review
      with: { full: "{{ run.trigger == 'command' }}" }

ask:
  description: Answer a question about the issue or pull request.
  steps:
    - id: answer
      name: Answer
      uses: ai.ask
      with: { question: "{{ run.input }}" }

hotfix:
  description: A small, urgent fix on a hotfix/ branch, with a smaller turn budget and no plan.
  steps:
    - id: code
      name: Change the code
      uses: ai.implement
      with: { instructions: "{{ run.input }}", branch_prefix: hotfix/, max_turns: 15 }
    - id: test
      name: Run the tests
      if: steps.code.outputs.changed and config.agent.commands.test
      uses: shell.run
      with: { run: "{{ config.agent.commands.test | argv }}" }
      timeout: 15m
      on_error: rollback${selfReviewSteps("15m", "15")}
    - id: push
      name: Push the branch
      if: steps.code.outputs.changed
      uses: git.push
      with: { branch: "{{ steps.code.outputs.branch }}" }
      on_error: rollback
    - id: pull_request
      name: Open the pull request
      if: steps.code.outputs.changed
      uses: github.create_pull_request
      with:
        title: "Hotfix: {{ issue.title }}"
        head: "{{ steps.push.outputs.branch }}"
        draft: "{{ config.agent.draft_pull_requests }}"
        body: "{{ steps.code.outputs.pr_body }}${TESTS_SECTION}${SELF_REVIEW_SECTION}"
      on_error: rollback
  outputs:
    summary: "{{ steps.code.outputs.summary }}"
    pull_request: "{{ steps.pull_request.outputs.url }}"

docs:
  description: Documentation changes only; edits outside documentation paths are refused.
  steps:
    - id: code
      name: Edit the documentation
      uses: ai.implement
      with:
        instructions: "{{ run.input }}"
        branch_prefix: docs/
        allowed_paths: ["docs/**", "**/*.md", "**/*.mdx", "**/*.rst", "**/*.adoc"]
    - id: push
      name: Push the branch
      if: steps.code.outputs.changed
      uses: git.push
      with: { branch: "{{ steps.code.outputs.branch }}" }
      on_error: rollback
    - id: pull_request
      name: Open the pull request
      if: steps.code.outputs.changed
      uses: github.create_pull_request
      with:
        title: "Docs: {{ issue.title }}"
        head: "{{ steps.push.outputs.branch }}"
        draft: "{{ config.agent.draft_pull_requests }}"
        body: "{{ steps.code.outputs.pr_body }}"
      on_error: rollback
  outputs:
    summary: "{{ steps.code.outputs.summary }}"
    pull_request: "{{ steps.pull_request.outputs.url }}"

follow_up:
  description: Further work on a pull request's branch — what writers asked in comments, reviews and review threads since the last follow-up, and its failing checks; commits and pushes on top, then answers each thread.
  steps:
    - id: work
      name: Make the follow-up changes
      uses: ai.follow_up
    - id: answer
      name: Answer the review threads
      if: steps.work.outputs.requests > 0
      uses: ai.answer_threads
      with:
        threads: "{{ steps.work.outputs.threads }}"
        sha: "{{ steps.work.outputs.sha }}"
        summary: "{{ steps.work.outputs.summary }}"
      retry: { attempts: 3, backoff: 5s }
  outputs:
    summary: "{{ steps.work.outputs.summary }}"

follow_up_new_pr:
  description: The change a writer asked for on a pull request (a fork's, which the app cannot push to) on a new branch of this repository that starts at its head, opened as a new pull request.
  steps:
    - id: work
      name: Make the change on a new branch
      uses: ai.follow_up
      with: { new_pull_request: true }
  outputs:
    summary: "{{ steps.work.outputs.summary }}"

fix_ci:
  description: Make a pull request's failing checks pass with commits on its branch (the CI autopilot, or /ai fix-ci).
  steps:
    - id: fix
      name: Fix the failing checks
      uses: ai.fix_ci
      with: { instructions: "{{ run.input }}" }
  outputs:
    summary: "{{ steps.fix.outputs.summary }}"
`;

export const BUILT_IN_WORKFLOW_NAMES = ["implement", "plan", "review", "ask", "hotfix", "docs", "follow_up", "follow_up_new_pr", "fix_ci"] as const;

let cached: Workflows | undefined;

/** The built-in workflows, parsed once; each call gets its own copy. */
export function builtInWorkflows(): Workflows {
  cached ??= workflowsSchema.parse(parse(BUILT_IN_WORKFLOWS_YAML));
  return structuredClone(cached);
}

/** The built-in workflows with the repository's own replacing those of the same name. */
export function effectiveWorkflows(written: Workflows): Workflows {
  return { ...builtInWorkflows(), ...structuredClone(written) };
}
