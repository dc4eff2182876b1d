import { z } from "zod";
import type { VersionControl } from "../integrations/kinds/version-control.js";
import { type Placement, type PostedFinding, type Severity, severities, severityIcon } from "./findings.js";
import type { ChunkReview } from "./model-review.js";

/**
 * The review's summary — what the pull request does, its findings by severity, what was not
 * reviewed — and the one summary comment per pull request that later reviews edit in place. The
 * comment carries the review state (last reviewed head, the inline findings posted) in a hidden
 * marker, so incremental reviews work on every storage backend alike. The summary is in the
 * conversation once: the review itself carries only a line about its inline comments and a link
 * here.
 */

export const CHECK_NAME = "ai-agent review";
const MARKER = "<!-- ai-agent:review-summary ";

/** A posted finding in the state, compactly: `<fingerprint>:<R|L>:<start>-<line>`. */
const POSTED = /^([0-9a-f]{16}):([RL]):(\d+)-(\d+)$/;

export const reviewStateSchema = z.object({
  head: z.string().optional(),
  /** The inline findings posted so far, each as `encodePosted` writes it. */
  posted: z.array(z.string()).default([]),
  /**
   * Earlier versions kept fingerprints without lines. Read and ignored: a finding whose lines are
   * not known is taken as on other lines, so a new one is posted rather than lost.
   */
  fingerprints: z.array(z.string()).optional(),
});
export type ReviewState = z.output<typeof reviewStateSchema>;

export function encodePosted(posted: PostedFinding): string {
  return `${posted.fingerprint}:${posted.side === "LEFT" ? "L" : "R"}:${posted.start}-${posted.line}`;
}

/** The state's posted findings; an entry that does not read is left out. */
export function decodePosted(state: Pick<ReviewState, "posted">): PostedFinding[] {
  return state.posted.flatMap((entry) => {
    const match = POSTED.exec(entry);
    if (!match) return [];
    const [, fingerprint = "", side, start, line] = match;
    return [{ fingerprint, side: side === "L" ? ("LEFT" as const) : ("RIGHT" as const), start: Number(start), line: Number(line) }];
  });
}

export function renderSummary(input: {
  reviews: readonly ChunkReview[];
  placement: Placement;
  skipped: readonly { path: string; reason: string }[];
  incremental: boolean;
  reviewedFiles: number;
  head: string;
  since: string | undefined;
  unreadable: number;
}): string {
  const { placement } = input;
  const scope = input.incremental && input.since ? `the changes from ${input.since.slice(0, 7)} to ${input.head.slice(0, 7)}` : `${input.head.slice(0, 7)}`;
  const lines = [`## ai-agent review of ${scope}`, ""];
  const overviews = input.reviews.map((r) => r.overview.trim()).filter(Boolean);
  lines.push(overviews.length > 0 ? overviews.join(" ") : "No overview.", "");

  const all = [...placement.inline.map((p) => p.finding), ...placement.summaryOnly.map((p) => p.finding)];
  lines.push(
    all.length === 0
      ? `**No findings** in ${input.reviewedFiles} reviewed file${input.reviewedFiles === 1 ? "" : "s"}.`
      : `**Findings:** ${severityCounts(all)} — ${placement.inline.length} inline.`,
  );
  if (placement.summaryOnly.length > 0) {
    lines.push("", "**Not inline:**");
    for (const { finding, reason } of placement.summaryOnly) {
      lines.push(`- ${severityIcon(finding.severity)} \`${finding.path}:${finding.start_line ? `${finding.start_line}-` : ""}${finding.line}\` ${oneLine(finding.body)} _(${reason})_`);
    }
  }
  if (placement.duplicates > 0) lines.push("", `${placement.duplicates} duplicate finding${placement.duplicates === 1 ? "" : "s"} left out (already posted, or said twice).`);
  if (input.skipped.length > 0) {
    lines.push("", "**Not reviewed:**");
    for (const { path, reason } of input.skipped.slice(0, 100)) lines.push(`- \`${path}\` — ${reason}`);
    if (input.skipped.length > 100) lines.push(`- …and ${input.skipped.length - 100} more, all named in the "ai-agent review" check`);
  }
  if (input.unreadable > 0) lines.push("", `${input.unreadable} finding${input.unreadable === 1 ? "" : "s"} from the model could not be read and were left out.`);
  return lines.join("\n");
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

/**
 * The review's own body: its inline findings by severity and where the summary is. The summary is
 * not repeated here; `summaryUrl` is absent on the first review, whose summary comment follows it.
 */
export function renderReviewBody(input: { placement: Placement; requestChanges: boolean; summaryUrl: string | undefined }): string {
  const inline = input.placement.inline.map((p) => p.finding);
  const lines: string[] = [];
  if (input.requestChanges) lines.push("**Changes requested:** a finding is high or critical (`review.request_changes`).");
  lines.push(inline.length > 0 ? `${inline.length} finding${inline.length === 1 ? "" : "s"} on lines of the diff: ${severityCounts(inline)}.` : "No finding could go on a line of the diff.");
  lines.push(input.summaryUrl ? `The summary is in [the ai-agent review comment](${input.summaryUrl}).` : "The summary follows in the ai-agent review comment.");
  return lines.join("\n");
}

function severityCounts(findings: readonly { severity: Severity }[]): string {
  return severities
    .map((severity) => [severity, findings.filter((f) => f.severity === severity).length] as const)
    .filter(([, n]) => n > 0)
    .map(([severity, n]) => `${severityIcon(severity)} ${n} ${severity}`)
    .join(" · ");
}

export function summaryBody(summary: string, state: ReviewState): string {
  return `${MARKER}${JSON.stringify(state)} -->\n${summary}`;
}

/** The pull request's summary comment and the state it holds, when an earlier review left one. */
export async function findSummary(
  forge: Pick<VersionControl, "findComment">,
  target: { number: number; botLogin: string },
): Promise<{ commentId: string; url: string; state: ReviewState } | undefined> {
  // Only the app's own comment counts: anyone else could write the marker.
  const comment = await forge.findComment(target.number, { marker: MARKER, author: target.botLogin });
  if (!comment) return undefined;
  const json = comment.body.slice(MARKER.length, comment.body.indexOf(" -->"));
  try {
    return { commentId: comment.id, url: comment.url, state: reviewStateSchema.parse(JSON.parse(json)) };
  } catch {
    return { commentId: comment.id, url: comment.url, state: { posted: [] } };
  }
}
