import type { Run } from "../core/run.js";
import type { Store } from "../store/types.js";

/**
 * Asking one active run to stop, for `/ai stop` and the API alike. A run that has not started yet
 * is stopped outright; a running one — or one that has just started — stops at its next step.
 * Asking twice changes nothing more: the run keeps the first stop's outcome.
 */
export async function stopRun(store: Pick<Store, "updateRun">, run: Pick<Run, "id" | "status">, by: string): Promise<Run | null> {
  const stopped =
    run.status === "queued" && (await store.updateRun(run.id, { status: "stopped", stopRequestedBy: by, finishedAt: new Date() }, { ifStatus: "queued" }));
  return stopped || (await store.updateRun(run.id, { stopRequestedBy: by }));
}
