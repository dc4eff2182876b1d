import type { GitHubClient } from "../github/client.js";
import type { Run, RunStep, Store } from "../store/types.js";
import { neutralizeForGitHub } from "../github/safe-markdown.js";
import { formatCost, formatDuration } from "./status-text.js";

const ICONS: Record<RunStep["status"], string> = {
  pending: "⬜",
  running: "⏳",
  succeeded: "✅",
  failed: "❌",
  skipped: "⏭️",
  rolled_back: "↩️",
};

/** The hidden marker that lets a resumed run find the comment it already posted. */
export const trackingMarker = (runId: string): string => `<!-- ai-agent:run:${runId} -->`;

export type Outcome =
  | { status: "succeeded"; summary?: string }
  | { status: "failed"; message: string }
  | { status: "stopped"; by: string };

export function renderTrackingComment(run: Run, runUrl: string, outcome?: Outcome, now = new Date(), notice?: string): string {
  // A summary or failure may quote the model (its last words, a refusal): nobody but the person
  // who asked is mentioned, no issue is closed, no HTML hides anything.
  const safe = (text: string) => neutralizeForGitHub(text, { requester: run.actor });
  const link = `[run details](${runUrl})`;
  const started = run.startedAt ?? run.createdAt;
  const took = formatDuration(now.getTime() - started.getTime());
  const cost = formatCost(run.costMicros);
  const head = !outcome
    ? `⏳ **Working on it…** — ${run.task} for @${run.actor} · ${link}`
    : outcome.status === "succeeded"
      ? `✅ **Done** in ${took} · cost ${cost} · ${link}`
      : outcome.status === "stopped"
        ? `🛑 **Stopped** by @${outcome.by} after ${took} · cost ${cost} · ${link}`
        : `❌ **Failed** after ${took} · cost ${cost} · ${link}\n\n${safe(outcome.message)}`;
  const steps = run.steps.map((s) => `- ${ICONS[s.status]} ${s.name ?? s.id}`);
  const summary = outcome?.status === "succeeded" && outcome.summary ? [``, safe(outcome.summary)] : [];
  return [trackingMarker(run.id), head, ...(notice ? ["", notice] : []), ...(steps.length ? ["", ...steps] : []), ...summary, ...linkLines(run)].join("\n");
}

function linkLines(run: Run): string[] {
  // Addresses only: other links are bookkeeping (a Slack message's ts, a Jira key).
  const shown = Object.entries(run.links).filter(([name, url]) => !name.startsWith("tracking") && /^https?:\/\//.test(url));
  return shown.length ? ["", ...shown.map(([name, url]) => `- ${name}: ${url}`)] : [];
}

/**
 * The one comment that follows a run on its issue: posted when the run starts, edited as steps
 * progress, finished with the outcome. Its id is stored on the run, so a run resumed after a crash
 * edits the same comment instead of posting a second.
 */
export class TrackingComment {
  constructor(
    private readonly octokit: GitHubClient,
    private readonly store: Store,
    private readonly runUrl: string,
    private readonly notice?: string,
  ) {}

  async show(run: Run, outcome?: Outcome): Promise<Run> {
    const [owner, repo] = run.repo.split("/") as [string, string];
    const body = renderTrackingComment(run, this.runUrl, outcome, new Date(), this.notice);
    const existing = run.links.trackingCommentId;
    if (existing) {
      await this.octokit.rest.issues.updateComment({ owner, repo, comment_id: Number(existing), body });
      return run;
    }
    const { data } = await this.octokit.rest.issues.createComment({ owner, repo, issue_number: run.number, body });
    const links = { ...run.links, trackingCommentId: String(data.id), trackingComment: data.html_url };
    return (await this.store.updateRun(run.id, { links })) ?? { ...run, links };
  }
}
