import type { Logger } from "pino";
import type { VersionControl } from "../integrations/kinds/version-control.js";
import type { Store } from "../store/types.js";
import { type Run, type RunStep, taskLabel } from "../core/run.js";
import { neutralizeForGitHub } from "../integrations/github/safe-markdown.js";
import { formatDuration, formatUsd } from "../core/format.js";
import { CoalescedUpdates } from "./coalesced-update.js";

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
  const took = formatDuration(now.getTime() - started.getTime(), { elapsed: true });
  const cost = formatUsd(run.costMicros);
  const head = !outcome
    ? `⏳ **Working on it…** — ${taskLabel(run.task)} for @${run.actor} · ${link}`
    : outcome.status === "succeeded"
      ? `✅ **Done** in ${took} · cost ${cost} · ${link}`
      : outcome.status === "stopped"
        ? `🛑 **Stopped** by @${outcome.by} after ${took} · cost ${cost} · ${link}`
        : `❌ **Failed** after ${took} · cost ${cost} · ${link}\n\n${safe(outcome.message)}`;
  const steps = run.steps.map((s) => `- ${ICONS[s.status]} ${s.name ?? s.id}${stepDetail(s, outcome !== undefined, safe)}`);
  const summary = outcome?.status === "succeeded" && outcome.summary ? [``, safe(outcome.summary)] : [];
  const links = linkLines(run);
  return [trackingMarker(run.id), head, ...(notice ? ["", notice] : []), ...(steps.length ? ["", ...steps] : []), ...summary, ...(links.length ? ["", ...links] : [])].join("\n");
}

/** What a step's line adds to its icon: why it was skipped, that it never ran, that it was undone. */
function stepDetail(step: RunStep, finished: boolean, safe: (text: string) => string): string {
  if (step.status === "skipped") return step.note ? ` — skipped: ${safe(step.note)}` : " — skipped";
  if (step.status === "pending" && finished) return " — not run";
  if (step.status === "rolled_back") return " — rolled back";
  return "";
}

/** The branch the run's work is on and what it opened, each a link a person can follow. */
function linkLines(run: Run): string[] {
  const lines: string[] = [];
  // As the steps announced it (branch.pushed); emptied when a rollback deleted it.
  const branch = run.links.branch;
  if (branch) {
    const web = webOrigin(run.links);
    const tree = web ? `${web}/${run.repo}/tree/${branch.split("/").map(encodeURIComponent).join("/")}` : undefined;
    lines.push(tree ? `- Branch [\`${branch}\`](${tree})` : `- Branch \`${branch}\``);
  }
  // Addresses only: other links are bookkeeping (a Slack message's ts, a Jira key).
  for (const [name, url] of Object.entries(run.links)) {
    if (name.startsWith("tracking") || !/^https?:\/\//.test(url)) continue;
    lines.push(`- [${linkLabel(name, url)}](${url})`);
  }
  return lines;
}

/** GitHub's web address (github.com, or a GitHub Enterprise host), from the tracking comment's own. */
function webOrigin(links: Record<string, string>): string | undefined {
  try {
    return links.trackingComment ? new URL(links.trackingComment).origin : undefined;
  } catch {
    return undefined;
  }
}

/** "Pull request #2" for a pull request's address, "Issue #5" for an issue's, else the output's name in words. */
export function linkLabel(name: string, url: string): string {
  let path = "";
  let hash = "";
  try {
    ({ pathname: path, hash } = new URL(url));
  } catch {
    // labelled by its name alone
  }
  const pull = /\/pull\/(\d+)\/?$/.exec(path);
  if (pull && !hash) return `Pull request #${pull[1]}`;
  const issue = /\/issues\/(\d+)\/?$/.exec(path);
  if (issue && !hash) return `Issue #${issue[1]}`;
  const words = name.replace(/_url$/, "").replace(/[_-]+/g, " ").trim();
  return words ? `${words[0]!.toUpperCase()}${words.slice(1)}` : "Link";
}

/** What the comment is to say: the run as of `at`, and its outcome once it has one. */
interface Shown {
  run: Run;
  outcome?: Outcome;
  at: Date;
}

/**
 * The one comment that follows a run on its issue: posted when the run starts, edited as steps
 * progress, finished with the outcome. Its id is stored on the run, so a run resumed after a crash
 * edits the same comment instead of posting a second.
 *
 * Showing a state never waits for GitHub: GitHub spaces an installation's writes a second apart,
 * and a run that waited for every edit ran at that pace, its work fitting in the gaps. The edits
 * go out behind the run, one at a time, the newest state replacing one still waiting
 * (CoalescedUpdates); `flush` waits for the last, which the run's end awaits.
 */
export class TrackingComment {
  private posted: { id: string; url: string } | undefined;
  private readonly writes: CoalescedUpdates<Shown>;

  constructor(
    private readonly forge: Pick<VersionControl, "ensureComment">,
    private readonly store: Pick<Store, "updateRun">,
    private readonly runUrl: string,
    log: Pick<Logger, "warn">,
    private readonly notice?: string,
  ) {
    this.writes = new CoalescedUpdates((_key, shown) => this.write(shown), log, "tracking comment edit");
  }

  /** Shows `run` (and how it ended) in the comment; returns at once. */
  show(run: Run, outcome?: Outcome): void {
    this.writes.set(run.id, { run, ...(outcome ? { outcome } : {}), at: new Date() });
  }

  /** Waits for the last state shown to be written (or to have failed, which is logged). */
  flush(): Promise<void> {
    return this.writes.flush();
  }

  private async write({ run, outcome, at }: Shown): Promise<void> {
    // A state shown before the comment was posted renders with its address (the branch link's host).
    const posted = this.posted;
    const links = posted ? { ...run.links, trackingCommentId: posted.id, trackingComment: posted.url } : run.links;
    const body = renderTrackingComment({ ...run, links }, this.runUrl, outcome, at, this.notice);
    const comment = await this.forge.ensureComment(run.number, body, { id: links.trackingCommentId });
    if (links.trackingCommentId) return;
    this.posted = comment;
    await this.store.updateRun(run.id, { links: { trackingCommentId: comment.id, trackingComment: comment.url } });
  }
}
