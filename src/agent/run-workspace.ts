import { ShellSession } from "../sandbox/shell-session.js";
import type { Sandbox } from "../sandbox/index.js";
import type { CommandRecord } from "./tools/types.js";
import type { Workspace, WorkspaceManager } from "../workspace/workspace.js";

/**
 * A run's workspace: its worktree of the repository (prepared on first use, on the branch asked
 * for, removed when the run ends), the persistent shell in the sandbox there, and the commands run
 * so far. What `ai.plan`, `ai.implement`, `git.push` and `shell.run` share; it knows nothing of
 * the model.
 */

export interface RunWorkspaceOptions {
  workspaces: WorkspaceManager;
  /** Where every command of the repository or the model runs. */
  sandbox: Sandbox;
  /** The longest one command of the agent may run. */
  commandTimeoutMs: number;
  runId: string;
  /** `owner/repo`: the clone cache's key. */
  repo: string;
  /** Where the repository is fetched from and pushed to. */
  remoteUrl: string;
  baseBranch: string;
  /** The token for git over HTTPS, asked for each time a worktree is prepared; undefined for a local remote. */
  token: () => Promise<string | undefined>;
}

export class RunWorkspace {
  readonly commands: CommandRecord[] = [];
  private workspaceSlot?: Workspace;
  private shellSlot?: ShellSession;

  constructor(private readonly options: RunWorkspaceOptions) {}

  get sandbox(): Sandbox {
    return this.options.sandbox;
  }

  get commandTimeoutMs(): number {
    return this.options.commandTimeoutMs;
  }

  /** The run's workspace on `branch` (new ones start at `startRef` when given); the first call prepares it. */
  async workspace(branch: string, startRef?: string): Promise<Workspace> {
    if (this.workspaceSlot && this.workspaceSlot.branch === branch) return this.workspaceSlot;
    this.shellSlot?.dispose();
    this.shellSlot = undefined;
    await this.workspaceSlot?.dispose();
    const { repo, runId, remoteUrl, baseBranch } = this.options;
    const token = await this.options.token();
    this.workspaceSlot = await this.options.workspaces.prepare({ repo, remoteUrl, ...(token ? { token } : {}), baseBranch, branch, runId, ...(startRef ? { startRef } : {}) });
    // When commands run as another uid, the worktree is handed to it.
    await this.options.sandbox.adopt(this.workspaceSlot.dir);
    return this.workspaceSlot;
  }

  /** The run's persistent shell in the sandbox, in the current workspace; started on first use. */
  shell(network: boolean): ShellSession {
    const dir = this.workspaceSlot?.dir;
    if (!dir) throw new Error("the shell needs the run's workspace");
    this.shellSlot ??= new ShellSession(this.options.sandbox, { workspace: dir, network });
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
