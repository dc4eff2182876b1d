import { formatUsd } from "../../core/format.js";
import type { RunEvent, RunInfo } from "./status.js";

/**
 * What a task tracker's sink says on the run's task, whichever tracker it is (Jira, Linear): one
 * comment per notable event, in the same words, with a link to the pull request, the review or the
 * run. The tracker decides how the words are written out (Atlassian's document format, Markdown).
 */

export const TRACKER_COMMENTED = new Set<RunEvent["type"]>(["started", "pr_opened", "review_posted", "succeeded", "failed", "stopped", "budget_exceeded"]);

export function trackerCommentText(event: RunEvent, run: RunInfo): string {
  const what = `ai-agent ${run.task} for ${run.repo}#${run.number}`;
  switch (event.type) {
    case "started":
      return `${what} started, asked by ${run.actor}.`;
    case "pr_opened":
      return `${what} opened a pull request.`;
    case "review_posted":
      return `${what} posted a review with ${event.findings} finding${event.findings === 1 ? "" : "s"}.`;
    case "succeeded":
      return `${what} finished (cost ${formatUsd(run.costMicros)}).${event.summary ? ` ${event.summary}` : ""}`;
    case "failed":
      return `${what} failed: ${event.message}`;
    case "stopped":
      return `${what} was stopped by ${event.by}.`;
    case "budget_exceeded":
      return `${what} stopped at its budget: ${event.message}`;
    default:
      return `${what}: ${event.type}`;
  }
}

export function trackerCommentLink(event: RunEvent, run: RunInfo): string {
  return event.type === "pr_opened" || event.type === "review_posted" ? event.url : run.runUrl;
}

export function trackerCommentLinkText(event: RunEvent): string {
  return event.type === "pr_opened" ? "Pull request" : event.type === "review_posted" ? "Review" : "Run details";
}
