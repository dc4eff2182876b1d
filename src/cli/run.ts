import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sandboxEnvSchema } from "../config/env.js";
import { REPO_CONFIG_PATH } from "../config/repo-config.js";
import { parseRepoConfig } from "../workflow/repo-config.js";
import { sandboxFromConfig } from "../sandbox/from-config.js";
import { defaultRepoConfig } from "../config/repo-config-schema.js";
import type { LedgerStore } from "../agent/budget.js";
import { sanitize } from "../agent/context.js";
import { runParts } from "../agent/environment.js";
import type { RunSubject } from "../agent/subject.js";
import { formatUsd } from "../core/format.js";
import { integrationsOfKind } from "../integrations/registry.js";
import type { ModelProvider } from "../integrations/kinds/model-provider.js";
import { WorkspaceManager } from "../workspace/workspace.js";
import type { UsageEntry } from "../store/types.js";
import { emptyTotals } from "../store/types.js";
import { memoryBudgetCounters } from "../store/memory-budget.js";
import { builtInIntegrations } from "../integrations/registry.js";
import { builtInActions } from "../workflow/actions/index.js";
import { effectiveWorkflows } from "../workflow/built-in.js";
import { publicMessage } from "../core/errors.js";
import { runWorkflow } from "../workflow/engine.js";
import type { Workflow } from "../config/workflow-schema.js";
import { configScope } from "../workflow/scope.js";
import { branchesLeft, describeForLocalUser, localText } from "./local-report.js";

/**
 * `ai-agent run --repo <path> --issue-file <file.md>`: the implement workflow on a local repository,
 * without GitHub. The issue comes from a Markdown file (its first line is the title), the agent works
 * in a worktree of the repository, and its commits are pushed back to it as a branch. Steps that
 * need GitHub or another integration (Slack, Jira) are skipped, each saying why. Spend is kept in memory; the branch left
 * in the repository and the cost are printed at the end. Messages speak to the person at this
 * terminal, who is their own operator: local-report.ts rewords the ones written for a server.
 */

export interface RunCommandOptions {
  repo: string;
  issueFile: string;
  number: number;
  workflow: string;
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  err: (text: string) => void;
}

export async function runLocally(options: RunCommandOptions): Promise<number> {
  const repoDir = path.resolve(options.repo);
  if (!existsSync(path.join(repoDir, ".git"))) {
    options.err(`ai-agent: ${repoDir} is not a git repository`);
    return 2;
  }
  // The model provider MODEL_PROVIDER names (Anthropic by default), with its own variables.
  const providers = integrationsOfKind("model-provider");
  const providerId = options.env.MODEL_PROVIDER ?? "anthropic";
  const provider = providers.find((integration) => integration.id === providerId);
  if (!provider) {
    options.err(`ai-agent: MODEL_PROVIDER: no model provider is called "${providerId}"; expected one of ${providers.map((p) => p.id).join(", ")}`);
    return 2;
  }
  const modelEnv = provider.env.safeParse(options.env);
  if (!modelEnv.success) {
    options.err(`ai-agent: ${modelEnv.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
    return 2;
  }
  const model = provider.connect(modelEnv.data) as ModelProvider | undefined;
  if (!model) {
    options.err(`ai-agent: set ${provider.secrets.join(" and ")} to run the agent (MODEL_PROVIDER=${provider.id})`);
    return 2;
  }
  const text = await readFile(options.issueFile, "utf8").catch(() => undefined);
  if (text === undefined) {
    options.err(`ai-agent: cannot read ${options.issueFile}`);
    return 2;
  }
  const [first = "", ...rest] = text.split(/\r?\n/);
  const title = sanitize(first.replace(/^#+\s*/, "")) || "Untitled issue";
  const body = sanitize(rest.join("\n"));

  const configFile = path.join(repoDir, REPO_CONFIG_PATH);
  const configText = await readFile(configFile, "utf8").catch(() => undefined);
  const parsed = configText === undefined ? { ok: true as const, config: defaultRepoConfig() } : parseRepoConfig(configText, configFile);
  if (!parsed.ok) {
    for (const p of parsed.problems) options.err(`${p.file}:${p.line}:${p.column} ${p.message}`);
    return 1;
  }
  const config = parsed.config;
  const workflows = effectiveWorkflows(config.workflows);
  const chosen = workflows[options.workflow];
  if (!chosen) {
    options.err(`ai-agent: no workflow "${options.workflow}"; the workflows are ${Object.keys(workflows).join(", ")}`);
    return 2;
  }
  /** Why each step turned off for a local run is skipped. */
  const offline = new Map<string, string>();
  const workflow = withoutServices(chosen, options.err, offline);

  const sandboxEnv = sandboxEnvSchema.safeParse(options.env);
  if (!sandboxEnv.success) {
    options.err(`ai-agent: ${sandboxEnv.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
    return 2;
  }
  const sandbox = await sandboxFromConfig(sandboxEnv.data);
  if (sandbox.kind === "host") options.err("ai-agent: SANDBOX=host — commands run unsandboxed, on this machine, as you");
  if (sandbox.kind === "none") options.err(`ai-agent: no sandbox (${sandbox.describe().status}); steps that run commands will fail`);

  const cacheDir = await mkdtemp(path.join(tmpdir(), "ai-agent-run-"));
  // The sandbox may run as another uid (when this runs as root): it must pass through to the worktree.
  await chmod(cacheDir, 0o755);
  const ledger = memoryLedger();
  const branches = new Set<string>();
  const runId = randomUUID();
  const defaultBranch = (await currentBranch(repoDir)) ?? "main";
  const me = { name: "ai-agent", email: "ai-agent@localhost" };
  const subject: RunSubject = {
    target: { runId, owner: "local", repo: path.basename(repoDir), number: options.number, actor: "you", defaultBranch, input: "" },
    config,
    source: {
      issue: () => Promise.resolve({ number: options.number, title, author: "you", body, bodyWithheld: false, comments: [], omittedComments: 0, labels: [] }),
      token: () => Promise.resolve(undefined),
      committer: () => Promise.resolve(me),
      requester: () => Promise.resolve(me),
    },
  };
  const parts = runParts(
    { model, workspaces: new WorkspaceManager({ cacheDir }), store: ledger, remoteUrl: () => repoDir, commandTimeoutMs: 10 * 60_000, sandbox },
    subject,
  );
  try {
    const result = await runWorkflow({
      name: options.workflow,
      workflow,
      workflows,
      actions: builtInActions(),
      scope: {
        issue: { number: options.number, title, body, state: "open", author: "you", labels: [], url: pathToIssue(options.issueFile) },
        pull_request: null,
        repo: { owner: "local", name: path.basename(repoDir), full_name: `local/${path.basename(repoDir)}`, default_branch: defaultBranch, url: repoDir },
        run: { id: runId, task: "implement", trigger: "cli", actor: "you", input: "" },
        config: configScope(config),
      },
      target: { runId, owner: "local", repo: path.basename(repoDir), number: options.number, actor: "you" },
      services: { subject, model: parts.model, runWorkspace: parts.workspace },
      hooks: {
        previous: [],
        // The branches the steps announced they pushed, for the report of what is left.
        emit: (event) => {
          if (event.name === "branch.pushed") branches.add(event.payload.branch);
        },
        record: (step) => {
          const label = `${step.status.padEnd(11)} ${step.name ?? step.id}`;
          if (step.status === "skipped") options.err(`${label} — ${offline.get(step.id) ?? step.note ?? "its condition was false"}`);
          else if (step.status !== "running" || step.error) options.err(`${label}${step.error ? `: ${localText(step.error)}` : ""}`);
          return Promise.resolve();
        },
        checkpoint: () => Promise.resolve(),
      },
    });
    const cost = formatUsd(ledger.total());
    const left = await branchesLeft(repoDir, [...branches], cacheDir);
    const where = left.map((branch) => `Branch: ${branch} in ${repoDir} (see it with: git -C ${repoDir} log ${defaultBranch}..${branch})`);
    if (result.status === "failed") {
      const branchLines = where.length > 0 ? where : [`No branch was left in ${repoDir}.`];
      options.err(`\nFailed: ${describeForLocalUser(result.error, publicMessage(result.error))}\n${branchLines.join("\n")}\nCost: ${cost}`);
      return 1;
    }
    const summary = typeof result.outputs.summary === "string" && result.outputs.summary ? result.outputs.summary : "Done.";
    const branchLines = where.length > 0 ? where : [`No branch: the agent changed nothing, so ${repoDir} is as it was.`];
    options.out(`${summary}\n\n${branchLines.join("\n")}\nCost: ${cost}`);
    return 0;
  } finally {
    await parts.workspace.dispose();
    await rm(cacheDir, { recursive: true, force: true });
  }
}

/** The workflow with its steps that need GitHub or an integration turned off; `offline` gets why, per step. */
function withoutServices(workflow: Workflow, err: (text: string) => void, offline: Map<string, string>): Workflow {
  const off = <T extends { uses?: string | undefined; if?: string | undefined; id: string }>(step: T): T => {
    const service = step.uses ? serviceOf(step.uses) : undefined;
    if (!step.uses || !service) return step;
    err(`(step ${step.id} uses ${step.uses}, which needs the app; it is skipped here)`);
    offline.set(step.id, `${step.uses} needs ${service}, which a local run does not use; the installed app runs this step`);
    return { ...step, if: "false" };
  };
  return {
    ...workflow,
    steps: workflow.steps.map((step) => ({ ...off(step), ...(step.parallel ? { parallel: step.parallel.map(off) } : {}) })),
    post: { always: workflow.post.always.map(off), on_success: workflow.post.on_success.map(off), on_failure: workflow.post.on_failure.map(off) },
  };
}

/** The service an action's prefix names, as people know it; none for the actions a local run has. */
function serviceOf(uses: string): string | undefined {
  const prefix = uses.slice(0, uses.indexOf("."));
  return prefix === "github" ? "GitHub" : builtInIntegrations.get(prefix)?.name;
}

function pathToIssue(file: string): string {
  return path.resolve(file);
}

async function currentBranch(repo: string): Promise<string | undefined> {
  const head = await readFile(path.join(repo, ".git", "HEAD"), "utf8").catch(() => "");
  return /^ref: refs\/heads\/(.+)$/m.exec(head)?.[1]?.trim();
}

/** The usage ledger of one CLI run, in memory. */
function memoryLedger(): LedgerStore & { total(): number } {
  const entries: UsageEntry[] = [];
  let runCost = 0;
  return {
    ...memoryBudgetCounters(),
    total: () => runCost,
    getRun: () => Promise.resolve(null),
    addUsage: (entry) => {
      entries.push(entry);
      return Promise.resolve();
    },
    updateRun: (_id, patch) => {
      if (patch.costMicros !== undefined) runCost = patch.costMicros;
      return Promise.resolve(null);
    },
    usageForMonth: () => Promise.resolve({ ...emptyTotals(), costMicros: entries.reduce((sum, e) => sum + e.costMicros, 0), entries: entries.length }),
  };
}
