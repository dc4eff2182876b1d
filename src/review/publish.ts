import { LineCommentsRefused, type VersionControl } from "../integrations/kinds/version-control.js";
import type { Placement } from "./findings.js";

/**
 * What a review writes into the pull request's conversation: one review with the inline comments,
 * and the summary comment. Both are written so that a run resumed after a crash writes neither
 * twice: the review carries its run's id in a hidden marker and is looked for before one is
 * posted, and the summary comment is edited in place.
 */

const reviewMarker = (runId: string) => `<!-- ai-agent:review-run:${runId} -->`;

/**
 * One review with the inline comments; if the forge still refuses a line, the review goes without
 * them and lists them in its body. `body` and the comments are already neutralised; `safe`
 * neutralises the fallback list.
 */
export async function postReview(
  forge: VersionControl,
  target: { number: number; runId: string; botLogin: string; head: string; event: "COMMENT" | "REQUEST_CHANGES"; body: string; placement: Placement; safe: (text: string) => string },
): Promise<string> {
  const { number, head, event, placement, safe } = target;
  const marker = reviewMarker(target.runId);
  // The review this run already posted, when an earlier attempt at the run got that far.
  const earlier = await forge.findReview(number, { marker, author: target.botLogin });
  if (earlier) return earlier;
  const body = `${marker}\n${target.body}`;
  const comments = placement.inline.map((p) => ({ ...p.comment, body: safe(p.comment.body) }));
  try {
    return await forge.publishReview({ number, head, event, body, comments });
  } catch (error) {
    if (!(error instanceof LineCommentsRefused)) throw error;
    const listed = placement.inline.map((p) => `- \`${p.comment.path}:${p.comment.line}\` ${p.finding.body}`).join("\n");
    const fallback = `${body}\n\n${safe(`**Findings GitHub would not take inline:**\n${listed}`)}`;
    return forge.publishReview({ number, head, event, body: fallback, comments: [] });
  }
}

/** Writes the summary comment — a new one, or the earlier review's edited — and gives its address. */
export async function upsertSummary(forge: VersionControl, number: number, commentId: string | undefined, body: string): Promise<string> {
  return (await forge.ensureComment(number, body, { id: commentId })).url;
}
