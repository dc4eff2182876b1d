import { createHash } from "node:crypto";
import { z } from "zod";
import type { FileLines, Side } from "./diff.js";

/**
 * Findings as the model reports them, and where each may go. A finding becomes an inline comment
 * only when its lines lie inside one hunk of its file on its side; the rest go into the summary, so
 * a review is never refused for a line outside the diff. Duplicates (same place, or the same
 * normalised text on the same file) are merged, findings posted by an earlier review are not posted
 * again, and at most `maxComments` go inline, most severe first.
 */

export const severities = ["critical", "high", "medium", "low", "info"] as const;
export type Severity = (typeof severities)[number];

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
  inline: { finding: Finding; comment: InlineComment; fingerprint: string }[];
  /** Findings that could not go inline: outside the diff, or past the cap. */
  summaryOnly: { finding: Finding; reason: string }[];
  /** Dropped as duplicates of another finding in this review or of one posted before. */
  duplicates: number;
}

const ICON: Record<Severity, string> = { critical: "🛑", high: "🔴", medium: "🟠", low: "🟡", info: "ℹ️" };

/** The same remark on the same file, however it is worded in case, spacing or punctuation. */
export function fingerprint(finding: Pick<Finding, "path" | "body">): string {
  const text = finding.body.toLowerCase().replace(/[`*_~>#[\]().,:;!?'"]/g, "").replace(/\s+/g, " ").trim();
  return createHash("sha256").update(`${finding.path}\n${text}`).digest("hex").slice(0, 16);
}

export function placeFindings(
  findings: readonly Finding[],
  files: ReadonlyMap<string, FileLines>,
  options: { maxComments: number; alreadyPosted: ReadonlySet<string> },
): Placement {
  const ordered = [...findings].sort((a, b) => severities.indexOf(a.severity) - severities.indexOf(b.severity));
  const seen = new Set<string>();
  const places = new Set<string>();
  const placement: Placement = { inline: [], summaryOnly: [], duplicates: 0 };
  for (const finding of ordered) {
    const print = fingerprint(finding);
    const place = `${finding.path}:${finding.side}:${finding.start_line ?? finding.line}-${finding.line}`;
    if (seen.has(print) || places.has(place) || options.alreadyPosted.has(print)) {
      placement.duplicates++;
      continue;
    }
    seen.add(print);
    places.add(place);
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
    placement.inline.push({ finding, comment, fingerprint: print });
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
