import type { ChangedFile } from "./files.js";

/**
 * The review's coverage, as its check run shows it: which changed files were read, which were not
 * and why. The conversation carries the findings (the review and its summary comment); the check
 * carries the manifest, so a reader of the checks tab sees what the review covered without a third
 * copy of the summary.
 */

export interface Coverage {
  head: string;
  /** For an incremental review: the head reviewed before, whose later changes were read. */
  since?: string | undefined;
  reviewed: readonly Pick<ChangedFile, "path" | "additions" | "deletions">[];
  skipped: readonly { path: string; reason: string }[];
  /** Where the findings are, when a summary comment was written. */
  summaryUrl?: string | undefined;
}

/** Lines per list; a check run's text holds 65,535 characters. */
const LISTED = 400;

export function renderCoverage(coverage: Coverage): string {
  const { reviewed, skipped } = coverage;
  const changed = reviewed.length + skipped.length;
  const scope = coverage.since ? `the changes from ${short(coverage.since)} to ${short(coverage.head)}` : short(coverage.head);
  const lines = [`Reviewed ${count(reviewed.length, "file")} of ${changed} changed, at ${scope}.`];
  if (reviewed.length > 0) {
    lines.push("", "**Reviewed:**");
    lines.push(...listed(reviewed, (file) => `- \`${file.path}\` (+${file.additions} −${file.deletions})`));
  }
  if (skipped.length > 0) {
    lines.push("", "**Not reviewed:**");
    lines.push(...listed(skipped, (file) => `- \`${file.path}\` — ${file.reason}`));
  }
  if (changed === 0) lines.push("", "No file changed.");
  if (coverage.summaryUrl) lines.push("", `The findings and the summary are in [the review summary](${coverage.summaryUrl}).`);
  return lines.join("\n");
}

function listed<T>(items: readonly T[], line: (item: T) => string): string[] {
  const shown = items.slice(0, LISTED).map(line);
  return items.length > LISTED ? [...shown, `- …and ${items.length - LISTED} more`] : shown;
}

const short = (sha: string) => sha.slice(0, 7);

export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
