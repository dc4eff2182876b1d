import { UserFacingError } from "../core/errors.js";

/** No sandbox can run commands on this server; the message says what is missing and how to fix it. */
export class SandboxUnavailable extends UserFacingError {
  override name = "SandboxUnavailable";
}

/** What a command asked for breaks the server's sandbox policy (network, a path outside /repo). */
export class SandboxPolicyError extends UserFacingError {
  override name = "SandboxPolicyError";
}
