import { getQueue, retryJob } from "../api/queue.js";
import { csrfHolds } from "./csrf.js";
import { readForm } from "./form-body.js";
import { html } from "./html.js";
import type { PageContext } from "./page-context.js";
import { type QueueJson, queuePage } from "./queue-page.js";
import { notice } from "./views.js";

/** The queue page and its retry form, over the API's queue functions. */

/** Repositories whose admin permission is asked of GitHub for one page; beyond them the button is shown and the retry decides. */
const ADMIN_CHECKS = 20;

const FLASHES: Record<string, string> = { retried: "Retried: the job runs again at a worker's next poll." };

export async function queueStatusPage(ctx: PageContext): Promise<void> {
  const answer = await getQueue(ctx.api());
  if (answer.status !== 200) return void ctx.page(answer.status, "Queue & health", "queue", html`<h1>Queue &amp; health</h1>${notice((answer.body as { error: string }).error, "bad")}`);
  const queue = answer.body as QueueJson;
  const dashboardAdmin = ctx.deps.readers.admins?.has(ctx.caller.login.toLowerCase()) === true;
  const repos = [...new Set(queue.failed.filter((job) => job.retryable && job.repo).map((job) => job.repo!))];
  const admin = new Map<string, boolean>();
  if (!dashboardAdmin) {
    await Promise.all(
      repos.slice(0, ADMIN_CHECKS).map(async (repo) => admin.set(repo, await ctx.deps.readers.people.isAdmin(ctx.caller.token, repo).catch(() => false))),
    );
  }
  const canRetry = (repo: string | null) => dashboardAdmin || (repo !== null && (admin.get(repo) ?? !repos.slice(0, ADMIN_CHECKS).includes(repo)));
  const flash = FLASHES[ctx.url.searchParams.get("flash") ?? ""];
  ctx.page(200, "Queue & health", "queue", queuePage({ queue, canRetry, csrf: ctx.csrf, ...(flash ? { flash } : {}) }));
}

export async function retryFromForm(ctx: PageContext, id: string): Promise<void> {
  const form = await readForm(ctx.req);
  const back = html`<p><a href="/queue">Back to the queue</a></p>`;
  if (!form || !csrfHolds(ctx.deps.formKey, ctx.req, form.get("csrf") ?? undefined)) {
    return void ctx.page(403, "Not retried", "queue", html`<h1>Not retried</h1>${notice("This form did not come from this dashboard's page, or the page is older than your session. Open the queue again and press Retry there.", "bad")}${back}`);
  }
  const failCount = form.get("failCount");
  const answer = await retryJob(ctx.api({ id }, failCount ? { failCount } : {}));
  if (answer.status !== 200) {
    return void ctx.page(answer.status, "Not retried", "queue", html`<h1>Not retried</h1>${notice((answer.body as { error: string }).error, "bad")}${back}`);
  }
  ctx.res.writeHead(303, { location: "/queue?flash=retried", "cache-control": "no-store" });
  ctx.res.end();
}
