import type { GitHubClient } from "../integrations/github/client.js";
import { httpStatus } from "../integrations/github/client.js";
import type { Placement } from "./findings.js";

/**
 * What a review writes into the pull request's conversation: one GitHub review with the inline
 * comments, and the summary comment. Both are written so that a run resumed after a crash writes
 * neither twice: the review carries its run's id in a hidden marker and is looked for before one is
 * posted, and the summary comment is edited in place.
 */

const reviewMarker = (runId: string) => `<!-- ai-agent:review-run:${runId} -->`;

interface Target {
  owner: string;
  repo: string;
  number: number;
}

/** The review this run already posted, when an earlier attempt at the run got that far. */
async function postedByRun(github: GitHubClient, target: Target & { runId: string; botLogin: string }): Promise<string | undefined> {
  const reviews = await github.paginate(github.rest.pulls.listReviews, { owner: target.owner, repo: target.repo, pull_number: target.number, per_page: 100 });
  const marker = reviewMarker(target.runId);
  return reviews.find((r) => r.user?.login === target.botLogin && (r.body ?? "").startsWith(marker))?.html_url;
}

/**
 * One review with the inline comments; if GitHub still refuses a line, the review goes without them
 * and lists them in its body. `body` and the comments are already neutralised; `safe` neutralises
 * the fallback list.
 */
export async function postReview(
  github: GitHubClient,
  target: Target & { runId: string; botLogin: string; head: string; event: "COMMENT" | "REQUEST_CHANGES"; body: string; placement: Placement; safe: (text: string) => string },
): Promise<string> {
  const { owner, repo, number, head, event, placement, safe } = target;
  const earlier = await postedByRun(github, target);
  if (earlier) return earlier;
  const body = `${reviewMarker(target.runId)}\n${target.body}`;
  const comments = placement.inline.map((p) => ({ ...p.comment, body: safe(p.comment.body) }));
  try {
    const { data } = await github.rest.pulls.createReview({ owner, repo, pull_number: number, commit_id: head, event, body, comments });
    return data.html_url;
  } catch (error) {
    if (httpStatus(error) !== 422 || comments.length === 0) throw error;
    const listed = placement.inline.map((p) => `- \`${p.comment.path}:${p.comment.line}\` ${p.finding.body}`).join("\n");
    const fallback = `${body}\n\n${safe(`**Findings GitHub would not take inline:**\n${listed}`)}`;
    const { data } = await github.rest.pulls.createReview({ owner, repo, pull_number: number, commit_id: head, event, body: fallback });
    return data.html_url;
  }
}

/** Writes the summary comment — a new one, or the earlier review's edited — and gives its address. */
export async function upsertSummary(github: GitHubClient, target: Target, commentId: number | undefined, body: string): Promise<string> {
  if (commentId !== undefined) {
    const { data } = await github.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: commentId, body });
    return data.html_url;
  }
  const { data } = await github.rest.issues.createComment({ owner: target.owner, repo: target.repo, issue_number: target.number, body });
  return data.html_url;
}
