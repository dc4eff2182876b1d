import type { RepoConfig } from "../config/repo-config-schema.js";
import type { VersionControl } from "../integrations/kinds/version-control.js";
import type { ChangeRequest, RunSnapshot } from "../core/run.js";
import type { IssueText } from "./context.js";

/**
 * What a run is about: the issue or pull request, its repository's configuration, and where its
 * text, git token and people come from — GitHub for the app, files for the CLI. The ai.* steps read
 * it; it holds no model and no workspace (those are ./model-access.ts and ./run-workspace.ts).
 */

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
  /** The run's repository on its forge: reviews, answers, comments. */
  versionControl?: VersionControl;
}

export interface SubjectTarget {
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
  /** The pull request head the run was queued for (a review's). */
  head?: string;
  /** The pull request as the run was accepted on it. */
  change?: ChangeRequest;
  /** For a follow-up: the moment (ISO 8601) up to which an earlier follow-up read the conversation. */
  since?: string;
}

export interface RunSubject {
  target: SubjectTarget;
  config: RepoConfig;
  source: AgentSource;
}
