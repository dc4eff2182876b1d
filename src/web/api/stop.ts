import { activeRunStatuses } from "../../core/run.js";
import { stopRun } from "../../runs/stop-run.js";
import { publicRun } from "../runs-route.js";
import { type ApiAnswer, type ApiContext, notFound, readableRun } from "./context.js";
import { parseInput } from "./http.js";
import { runIdParams } from "./schemas.js";

/**
 * Stopping a run, as `/ai stop` does it, for people who may push to its repository: GitHub is
 * asked with the caller's own token, fresh, since this changes something rather than shows it.
 */
export async function stop(ctx: ApiContext): Promise<ApiAnswer> {
  const { id } = parseInput(runIdParams, ctx.params);
  const run = await readableRun(ctx, id);
  if (!run) return notFound;
  if (!(await ctx.readers.people.canPush(ctx.caller.token, run.repo))) {
    return { status: 403, body: { error: `stopping a run needs write access to ${run.repo}` } };
  }
  if (!activeRunStatuses.includes(run.status)) return { status: 409, body: { error: `the run is already ${run.status}` } };
  const updated = await stopRun(ctx.store, run, ctx.caller.login);
  if (!updated) return notFound;
  return { status: 200, body: { run: publicRun(updated), stopped: updated.status === "stopped" } };
}
