import type { ApiTokenScope } from "../../store/types.js";
import type { RepositoryAccess } from "../auth/access.js";
import type { GitHubGrant } from "../auth/github-oauth.js";
import type { GrantKeeper } from "../auth/grants.js";
import type { People } from "../auth/people.js";
import type { SignIn } from "../auth/sign-in.js";

/** Who calls /api/v1, how they proved it, and why a request has no caller. */

export interface ApiReaders {
  signIn: Pick<SignIn, "session" | "loginUrl">;
  access: RepositoryAccess;
  people: People;
  grants: GrantKeeper;
  /** DASHBOARD_ADMINS, lower-cased: they see and retry every queued job. */
  admins?: ReadonlySet<string>;
}

/**
 * A session or a GitHub token is the person, with every scope, and carries their grant (which an
 * API token issued by them seals); an API token carries only the scopes it was given.
 */
export type Credential = { kind: "session" | "github token"; grant: GitHubGrant } | { kind: "api token"; tokenId: string; scopes: readonly ApiTokenScope[] };

export interface Caller {
  login: string;
  /** GitHub's id for the person: what their API tokens belong to. */
  githubUserId: number;
  /** The person's GitHub token: asked on their behalf, never logged or served. */
  token: string;
  /** `owner/name`, lower-cased. */
  readable: ReadonlySet<string>;
  credential: Credential;
}

/** Why a request has no caller, or may not call this route: the answer's status and words. */
export class NotCaller extends Error {
  override name = "NotCaller";
  constructor(readonly status: 401 | 403 | 502, message: string) {
    super(message);
  }
}

export const UNREADABLE = "GitHub did not say which repositories you can read; try again shortly";
