import type { Logger } from "pino";
import type { Sandbox } from "./types.js";

/** What the tracking comment of every run says when commands run on the host. */
export const UNSANDBOXED_NOTICE = "⚠️ Commands in this run execute **unsandboxed**, on the server itself (the operator set `SANDBOX=host`).";

/** Says at boot where commands will run; the host and a missing sandbox are never quiet. */
export function logSandbox(sandbox: Sandbox, mode: string, log: Pick<Logger, "info" | "warn" | "error">): void {
  const status = sandbox.describe();
  if (status.kind === "bubblewrap") log.info({ sandbox: status }, "commands run in the bubblewrap sandbox");
  else if (status.kind === "host") log.warn({ sandbox: status }, "SANDBOX=host: commands of repositories and of the model run unsandboxed, with this process's file system in reach");
  else {
    const message = `no sandbox: ${status.status}; steps that run commands will fail until it is fixed (docs/sandbox.md); reviews, plans and answers work`;
    if (mode === "bubblewrap") log.error({ sandbox: status }, message);
    else log.warn({ sandbox: status }, message);
  }
}
