import { createHash } from "node:crypto";
import { z } from "zod";
import { type Severity, severities } from "../core/severity.js";
import type { FileLines, Side } from "./diff.js";

/**
 * Findings as the model reports them, and where each may go. A finding becomes an inline comment
 * only when its lines lie inside one hunk of its file on its side; the rest go into the summary, so
 * a review is never refused for a line outside the diff. Two findings are the same only when they
 * are on the same file and side, their line spans overlap and their texts are the same once
 * normalised (`normaliseText`); the same remark on another line, or another remark on the same line,
 * is a finding of its own. Duplicates in one review are merged, findings posted by an earlier review
 * are not posted again, and at most `maxComments` go inline, most severe first.
 */

export { severities, type Severity };

export const findingSchema = z.object({
  path: z.string().min(1),
  start_line: z.number().int().positive().optional(),
  line: z.number().int().positive(),
  side: z.enum(["LEFT", "RIGHT"]).default("RIGHT"),
  severity: z.enum(severities),
  category: z.string().min(1).default("general"),
  body: z.string().min(1),
  suggestion: z.string().optional(),
});
export type Finding = z.output<typeof findingSchema>;

export interface InlineComment {
  path: string;
  line: number;
  side: Side;
  start_line?: number;
  start_side?: Side;
  body: string;
}

export interface Placement {
  inline: { finding: Finding; comment: InlineComment; posted: PostedFinding }[];
  /** Findings that could not go inline: outside the diff, or past the cap. */
  summaryOnly: { finding: Finding; reason: string }[];
  /** Dropped as duplicates of another finding in this review or of one posted before. */
  duplicates: number;
}

const ICON: Record<Severity, string> = { critical: "🛑", high: "🔴", medium: "🟠", low: "🟡", info: "ℹ️" };

/**
 * A finding's text for comparing: lower case, without punctuation and Markdown marks
 * (`` ` * _ ~ > # [ ] ( ) . , : ; ! ? ' " ``), runs of whitespace made one space, trimmed.
 */
export function normaliseText(body: string): string {
  return body.toLowerCase().replace(/[`*_~>#[\]().,:;!?'"]/g, "").replace(/\s+/g, " ").trim();
}

/** The same remark on the same file, however it is worded in case, spacing or punctuation; lines aside. */
export function fingerprint(finding: Pick<Finding, "path" | "body">): string {
  return createHash("sha256").update(`${finding.path}\n${normaliseText(finding.body)}`).digest("hex").slice(0, 16);
}

/** What is kept of a finding to know it again: its fingerprint (file and text), its side and its lines. */
export interface PostedFinding {
  fingerprint: string;
  side: Side;
  /** First and last line of its span, `start <= line`. */
  start: number;
  line: number;
}

export function postedFinding(finding: Finding): PostedFinding {
  const start = finding.start_line ?? finding.line;
  return { fingerprint: fingerprint(finding), side: finding.side, start: Math.min(start, finding.line), line: Math.max(start, finding.line) };
}

/** The same finding: same file and text (the fingerprint), same side, overlapping line spans. */
export function sameFinding(a: PostedFinding, b: PostedFinding): boolean {
  return a.fingerprint === b.fingerprint && a.side === b.side && a.start <= b.line && b.start <= a.line;
}

export function placeFindings(
  findings: readonly Finding[],
  files: ReadonlyMap<string, FileLines>,
  options: { maxComments: number; alreadyPosted: readonly PostedFinding[] },
): Placement {
  const ordered = [...findings].sort((a, b) => severities.indexOf(a.severity) - severities.indexOf(b.severity));
  const seen: PostedFinding[] = [];
  const placement: Placement = { inline: [], summaryOnly: [], duplicates: 0 };
  for (const finding of ordered) {
    const posted = postedFinding(finding);
    if (seen.some((other) => sameFinding(other, posted)) || options.alreadyPosted.some((other) => sameFinding(other, posted))) {
      placement.duplicates++;
      continue;
    }
    seen.push(posted);
    const lines = files.get(finding.path);
    const start = finding.start_line !== undefined && finding.start_line !== finding.line ? finding.start_line : undefined;
    if (!lines?.accepts(finding.side, finding.line, start)) {
      placement.summaryOnly.push({ finding, reason: lines ? "its lines are not inside one hunk of the diff" : "the file is not in the reviewed diff" });
      continue;
    }
    if (placement.inline.length >= options.maxComments) {
      placement.summaryOnly.push({ finding, reason: `over the limit of ${options.maxComments} inline comments` });
      continue;
    }
    const comment: InlineComment = { path: finding.path, line: finding.line, side: finding.side, body: commentBody(finding) };
    if (start !== undefined) Object.assign(comment, { start_line: start, start_side: finding.side });
    placement.inline.push({ finding, comment, posted });
  }
  return placement;
}

/** The comment's text; a suggestion block only on the new side, where GitHub can apply it. */
export function commentBody(finding: Finding): string {
  const head = `${ICON[finding.severity]} **${finding.severity}** · ${finding.category}\n\n${finding.body.trim()}`;
  if (finding.suggestion === undefined || finding.side !== "RIGHT") return head;
  const fence = finding.suggestion.includes("```") ? "````" : "```";
  return `${head}\n\n${fence}suggestion\n${finding.suggestion.replace(/\n$/, "")}\n${fence}`;
}

export function severityIcon(severity: Severity): string {
  return ICON[severity];
}
