import type { RepoConfig } from "../config/repo-config-schema.js";
import type { GitHubClient } from "../github/client.js";
import { UserFacingError } from "../core/errors.js";
import { Budget, type BudgetCeilings, DEFAULT_CEILINGS, type LedgerStore, spendLimits } from "./budget.js";
import type { IssueText } from "./context.js";
import type { JiraClient } from "../mirrors/jira-client.js";
import type { ModelClient } from "./model.js";
import type { Sandbox } from "../sandbox/index.js";
import type { RunSnapshot } from "../core/run.js";
import { ShellSession } from "../sandbox/shell-session.js";
import type { CommandRecord } from "./tools/types.js";
import type { Workspace, WorkspaceManager } from "./workspace.js";

/**
 * One run's agent: what the `ai.*` and `git.push` actions share while a workflow runs — the model
 * client, the budget, the workspace (prepared on first use, removed when the run ends), the
 * commands run so far, and where the issue and identities come from. The app builds it from the
 * installation; the CLI builds it from a local repository and an issue file.
 */

/** Server-wide parts, built once at start-up. */
export interface AgentEnvironment {
  /** Absent when ANTHROPIC_API_KEY is not set: the ai.* actions say so. */
  model?: ModelClient;
  workspaces: WorkspaceManager;
  store: LedgerStore;
  /** Where the repository is fetched from and pushed to. */
  remoteUrl(owner: string, repo: string): string;
  commandTimeoutMs: number;
  /** Where every command of the repository or the model runs. */
  sandbox: Sandbox;
  /** For plans with notify.jira.create_tasks: the steps become Jira tasks. */
  jira?: JiraClient;
  /** The server's spending ceilings and default (BUDGET_* variables); DEFAULT_CEILINGS when absent. */
  budgets?: BudgetCeilings;
}

export interface GitIdentity {
  name: string;
  email: string;
}

/** Where a run's issue, token and people come from: GitHub for the app, files for the CLI. */
export interface AgentSource {
  issue(): Promise<IssueText>;
  /** The token for git over HTTPS; undefined for a local remote. */
  token(): Promise<string | undefined>;
  /** Who commits (the app's bot). */
  committer(): Promise<GitIdentity>;
  /** The person who asked, for the Co-authored-by trailer. */
  requester(): Promise<GitIdentity>;
  github?: GitHubClient;
}

export interface SessionTarget {
  runId: string;
  owner: string;
  repo: string;
  number: number;
  actor: string;
  defaultBranch: string;
  /** Extra instructions from the command. */
  input: string;
  /** The issue's or pull request's text as of the trigger. */
  snapshot?: RunSnapshot;
}

export class AgentSession {
  readonly commands: CommandRecord[] = [];
  private workspaceSlot?: Workspace;
  private budgetSlot?: Budget;
  private shellSlot?: ShellSession;

  constructor(
    readonly environment: AgentEnvironment,
    readonly target: SessionTarget,
    readonly config: RepoConfig,
    readonly source: AgentSource,
  ) {}

  get model(): ModelClient {
    if (!this.environment.model) throw new UserFacingError("The coding agent needs ANTHROPIC_API_KEY, and it is not set on this server.");
    return this.environment.model;
  }

  async budget(): Promise<Budget> {
    if (!this.budgetSlot) {
      const run = await this.environment.store.getRun(this.target.runId);
      // The repository's settings, within the server's ceilings; the installation's applies to every run.
      const limits = spendLimits(this.config.budgets, this.environment.budgets ?? DEFAULT_CEILINGS);
      this.budgetSlot = new Budget({
        store: this.environment.store,
        repo: `${this.target.owner}/${this.target.repo}`,
        runId: this.target.runId,
        ...(run?.installationId ? { installationId: run.installationId } : {}),
        perRunMicros: limits.perRunMicros,
        perRepoMonthMicros: limits.perRepoMonthMicros,
        perInstallationMonthMicros: limits.perInstallationMonthMicros,
        sources: limits.sources,
        spentMicros: run?.costMicros ?? 0,
      });
    }
    return this.budgetSlot;
  }

  /** The run's workspace on `branch`; the first call prepares it. */
  async workspace(branch: string): Promise<Workspace> {
    if (this.workspaceSlot && this.workspaceSlot.branch === branch) return this.workspaceSlot;
    this.shellSlot?.dispose();
    this.shellSlot = undefined;
    await this.workspaceSlot?.dispose();
    const { owner, repo, runId, defaultBranch } = this.target;
    const token = await this.source.token();
    this.workspaceSlot = await this.environment.workspaces.prepare({
      repo: `${owner}/${repo}`,
      remoteUrl: this.environment.remoteUrl(owner, repo),
      ...(token ? { token } : {}),
      baseBranch: defaultBranch,
      branch,
      runId,
    });
    // When commands run as another uid, the worktree is handed to it.
    await this.environment.sandbox.adopt(this.workspaceSlot.dir);
    return this.workspaceSlot;
  }

  /** The run's persistent shell in the sandbox, in the current workspace; started on first use. */
  shell(network: boolean): ShellSession {
    const dir = this.workspaceSlot?.dir;
    if (!dir) throw new Error("the shell needs the run's workspace");
    this.shellSlot ??= new ShellSession(this.environment.sandbox, { workspace: dir, network });
    return this.shellSlot;
  }

  /** The workspace if one was prepared in this process. */
  current(): Workspace | undefined {
    return this.workspaceSlot;
  }

  async dispose(): Promise<void> {
    this.shellSlot?.dispose();
    this.shellSlot = undefined;
    await this.workspaceSlot?.dispose();
    this.workspaceSlot = undefined;
  }
}
