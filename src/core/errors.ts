/**
 * The errors every layer raises, and the one place that decides what a person may read about a
 * failure. Messages from libraries can carry URLs with tokens or request bodies, so only our own
 * user-facing messages are shown; the rest go to the server log.
 */

/** An error whose message is written for the person who triggered the run. */
export class UserFacingError extends Error {
  override name = "UserFacingError";
}

/** Thrown at a step boundary when someone asked the run to stop. */
export class RunStopped extends Error {
  override name = "RunStopped";
  constructor(readonly by: string) {
    super(`stopped by @${by}`);
  }
}

/** What a step's record says of an error that is not for people. */
export const INTERNAL_ERROR = "internal error";

export interface PublicMessageScope {
  /** What stopped: "the run", "the review". */
  subject: string;
  /** Named in the text, so an operator can find the log lines. */
  runId?: string;
}

/**
 * What a person may read about `error`: its own message when it was written for them; otherwise
 * "internal error" for a step's record, or, given the scope, a sentence that says what stopped and
 * where the details are.
 */
export function publicMessage(error: unknown, scope?: PublicMessageScope): string {
  if (error instanceof UserFacingError) return error.message;
  if (!scope) return INTERNAL_ERROR;
  return `An internal error stopped ${scope.subject}; the server log has the details${scope.runId ? ` (run ${scope.runId})` : ""}.`;
}
