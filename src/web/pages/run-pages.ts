import { readableRun } from "../api/context.js";
import { eventsPage } from "../api/run-events.js";
import { stepsAndTurns } from "../api/runs.js";
import { publicRun } from "../runs-route.js";
import { stop } from "../api/stop.js";
import type { PageContext } from "./page-context.js";
import { csrfHolds } from "./csrf.js";
import { readForm } from "./form-body.js";
import { html } from "./html.js";
import { streamLive } from "./live.js";
import { ACTIVE, type RunPageInput, type RunView, type StepRow, runLive, runPage } from "./run-page.js";
import { notice } from "./views.js";

/** A run's page, its live stream, and its stop button's form. */

const LIVE_POLL_MS = 1_000;
/** Tool calls and commands a page shows: the latest ones; the API serves them all. */
const EVENTS_SHOWN = 200;
/** A live stream is closed after this long; the browser opens a new one at once. */
const LIVE_MAX_MS = 30 * 60_000;

const FLASHES: Record<string, string> = {
  stopped: "Stopped: the run had not started.",
  stopping: "Stop asked: the run stops at its next step.",
  finished: "The run had already finished; nothing was stopped.",
};

/**
 * The run as the person may see it, with its steps, turns and latest events, in the API's served
 * forms; null when it is not theirs to see. The run is read once, as a live page does every second.
 */
async function load(ctx: PageContext, id: string): Promise<Omit<RunPageInput, "githubWeb"> | null> {
  const api = ctx.api({ id });
  const run = await readableRun(api, id);
  if (!run) return null;
  const [detail, last] = await Promise.all([stepsAndTurns(api.store, run), ctx.deps.store.lastRunEventSeq(run.id)]);
  const after = Math.max(0, last - EVENTS_SHOWN);
  const { events } = await eventsPage(api.store, run.id, after, EVENTS_SHOWN);
  return { run: publicRun(run) as RunView, steps: detail.steps as StepRow[], turns: detail.turns, events, ...(after > 0 ? { eventsLeftOut: after } : {}) };
}

const notFound = (ctx: PageContext) =>
  ctx.page(404, "Run not found", "runs", html`<h1>Run not found</h1>${notice("There is no such run in a repository you can read. If it is in a private repository, ask for read access to it on GitHub.")}<p><a href="/runs">All runs</a></p>`);

export async function runDetailPage(ctx: PageContext, id: string): Promise<void> {
  const data = await load(ctx, id);
  if (!data) return void notFound(ctx);
  const canStop = ACTIVE.has(data.run.status) && (await ctx.deps.readers.people.canPush(ctx.caller.token, data.run.repo).catch(() => false));
  const flash = FLASHES[ctx.url.searchParams.get("flash") ?? ""];
  const input: RunPageInput = { ...data, githubWeb: ctx.deps.githubWeb, ...(canStop ? { stop: { csrf: ctx.csrf } } : {}), ...(flash ? { flash } : {}) };
  ctx.page(200, `${data.run.task} · ${data.run.repo}#${data.run.number}`, "runs", runPage(input));
}

export async function runLiveStream(ctx: PageContext, id: string): Promise<void> {
  if (!(await load(ctx, id))) return void notFound(ctx);
  streamLive(
    ctx.req,
    ctx.res,
    async () => {
      const data = await load(ctx, id);
      return data ? { html: runLive({ ...data, githubWeb: ctx.deps.githubWeb }).text, active: ACTIVE.has(data.run.status) } : null;
    },
    { pollMs: ctx.deps.livePollMs ?? LIVE_POLL_MS, maxMs: LIVE_MAX_MS },
  );
}

export async function stopFromForm(ctx: PageContext, id: string): Promise<void> {
  const form = await readForm(ctx.req);
  if (!form || !csrfHolds(ctx.deps.formKey, ctx.req, form.get("csrf") ?? undefined)) {
    return void ctx.page(403, "Not stopped", "runs", html`<h1>Not stopped</h1>${notice("This form did not come from this dashboard's page, or the page is older than your session. Open the run again and press Stop there.", "bad")}<p><a href="/runs/${id}">Back to the run</a></p>`);
  }
  const answer = await stop(ctx.api({ id }));
  if (answer.status === 404) return void notFound(ctx);
  if (answer.status === 403) {
    const message = (answer.body as { error: string }).error;
    return void ctx.page(403, "Not stopped", "runs", html`<h1>Not stopped</h1>${notice(message, "bad")}<p><a href="/runs/${id}">Back to the run</a></p>`);
  }
  const flash = answer.status === 409 ? "finished" : (answer.body as { stopped: boolean }).stopped ? "stopped" : "stopping";
  // After a POST, a GET: reloading the page does not ask again.
  ctx.res.writeHead(303, { location: `/runs/${id}?flash=${flash}`, "cache-control": "no-store" });
  ctx.res.end();
}
