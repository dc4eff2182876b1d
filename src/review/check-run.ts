import type { VersionControl } from "../integrations/kinds/version-control.js";
import { CHECK_NAME } from "./summary.js";

/**
 * The review's check run on the head it reads. The check carries the run's id as its
 * `external_id`, so a run resumed after a crash takes up the check its first attempt opened instead
 * of leaving that one queued forever beside a second.
 */
export function openCheckRun(forge: VersionControl, target: { head: string; runId: string }): Promise<string> {
  return forge.openCheck({ name: CHECK_NAME, head: target.head, externalId: target.runId });
}
