import { formatUsd } from "../core/format.js";
import type { Chunk } from "./chunk.js";
import type { ChangedFile } from "./files.js";
import type { ReviewPass } from "./model-review.js";
import type { RunLimit } from "./review-plan.js";

/**
 * The review's coverage, as its check run shows it: which changed files were read and by which
 * pass, which were not and why, and what the review was estimated to cost against the run's
 * budget. The conversation carries the findings (the review and its summary comment); the check
 * carries the manifest, so a reader of the checks tab sees what the review covered without a third
 * copy of the summary. A review that left out files it was meant to read (over the budget, or past
 * `review.max_files`) is partial, and says so first.
 */

type FileFigures = Pick<ChangedFile, "path" | "additions" | "deletions">;

export interface Coverage {
  head: string;
  /** For an incremental review: the head reviewed before, whose later changes were read. */
  since?: string | undefined;
  reviewed: readonly (FileFigures & { pass: ReviewPass })[];
  /** Files left out by design: filtered paths, lockfiles, generated, binary. */
  skipped: readonly { path: string; reason: string }[];
  /** Files that were to be reviewed and were not: over the budget or the cap. */
  missed: readonly { path: string; reason: string }[];
  /** The models of the passes, for the passes line. */
  models?: Record<ReviewPass, string> | undefined;
  cost?: { estimateMicros: number; wholeEstimateMicros: number; budget: RunLimit; spentMicros?: number | undefined } | undefined;
  /** Where the findings are, when a summary comment was written. */
  summaryUrl?: string | undefined;
}

/**
 * Characters of each of the check's two texts (summary and text, 65,535 each on GitHub). The
 * files not reviewed come first, so their list is whole for any pull request the files API can
 * list (3,000 files at most); the reviewed ones fill what is left.
 */
const TEXT_LIMIT = 60_000;

/** The reviewable files each chunk read, from the plan's chunks: by pass, and those read only in part. */
export function fileCoverage(
  files: readonly FileFigures[],
  read: readonly { chunk: Chunk; pass: ReviewPass }[],
  unread: readonly { chunk: Chunk; reason: string }[],
): { reviewed: (FileFigures & { pass: ReviewPass })[]; missed: { path: string; reason: string }[] } {
  const passes = new Map<string, ReviewPass>();
  for (const { chunk, pass } of read) for (const file of chunk.files) if (passes.get(file.path) !== "tail") passes.set(file.path, pass);
  const reasons = new Map<string, string>();
  const partsRead = new Map<string, number>();
  for (const { chunk } of read) for (const file of chunk.files) if (file.part) partsRead.set(file.path, (partsRead.get(file.path) ?? 0) + 1);
  for (const { chunk, reason } of unread) {
    for (const file of chunk.files) {
      if (reasons.has(file.path)) continue;
      const some = partsRead.get(file.path) ?? 0;
      reasons.set(file.path, some > 0 && file.part ? `${reason} (${some} of its ${file.part.of} parts were read)` : reason);
    }
  }
  const reviewed: (FileFigures & { pass: ReviewPass })[] = [];
  const missed: { path: string; reason: string }[] = [];
  for (const file of files) {
    const reason = reasons.get(file.path);
    const pass = passes.get(file.path);
    if (reason !== undefined) missed.push({ path: file.path, reason });
    else if (pass !== undefined) reviewed.push({ ...file, pass });
  }
  return { reviewed, missed };
}

export function isPartial(coverage: Pick<Coverage, "missed">): boolean {
  return coverage.missed.length > 0;
}

/** The check's title: partial first, when it is. */
export function coverageTitle(coverage: Pick<Coverage, "reviewed" | "missed">, outcome: string): string {
  if (!isPartial(coverage)) return outcome;
  const planned = coverage.reviewed.length + coverage.missed.length;
  return `Partial review: ${figure(coverage.reviewed.length)} of ${count(planned, "file")}, ${outcome.toLowerCase()}`;
}

/** The coverage as the check shows it; `stage` says whether the review is about to start or done. */
export function renderCoverage(coverage: Coverage, stage: "planned" | "done" = "done"): { summary: string; text?: string } {
  const { reviewed, skipped, missed } = coverage;
  const changed = reviewed.length + skipped.length + missed.length;
  const scope = coverage.since ? `the changes from ${short(coverage.since)} to ${short(coverage.head)}` : short(coverage.head);
  const verb = stage === "planned" ? "Reviewing" : "Reviewed";
  const lines = [`${verb} ${count(reviewed.length, "file")} of ${figure(changed)} changed, at ${scope}.`];
  if (missed.length > 0) {
    const to = figure(reviewed.length + missed.length);
    lines.push(
      "",
      stage === "planned"
        ? `**Partial review expected:** by the estimate, ${count(missed.length, "file")} of the ${to} to review cannot be read within the budget; they are listed below, and are read after the others if the answers cost less than estimated.`
        : `**Partial review:** ${count(missed.length, "file")} of the ${to} to review were not read; they are listed below with the reason.`,
    );
  }
  if (coverage.cost) lines.push("", ...costLines(coverage.cost));
  const passes = passLine(coverage);
  if (passes) lines.push(passes);
  if (coverage.summaryUrl) lines.push("", `The findings and the summary are in [the review summary](${coverage.summaryUrl}).`);
  for (const [reason, paths] of byReason(missed)) {
    lines.push("", `**Not reviewed** — ${reason}:`, ...paths.map((path) => `- \`${path}\``));
  }
  if (skipped.length > 0) lines.push("", "**Not reviewed:**", ...skipped.map((file) => `- \`${file.path}\` — ${file.reason}`));
  const lighter = reviewed.filter((file) => file.pass === "tail");
  const full = reviewed.filter((file) => file.pass === "full");
  const listing = (files: readonly FileFigures[]) => files.map((file) => `- \`${file.path}\` (+${file.additions} −${file.deletions})`);
  if (lighter.length === 0 && full.length > 0) lines.push("", `**${stage === "planned" ? "To review" : "Reviewed"}:**`, ...listing(full));
  else {
    if (full.length > 0) lines.push("", `**${stage === "planned" ? "To review" : "Reviewed"} in full:**`, ...listing(full));
    if (lighter.length > 0) lines.push("", `**${stage === "planned" ? "To review" : "Reviewed"} in the lighter pass:**`, ...listing(lighter));
  }
  if (changed === 0) lines.push("", "No file changed.");
  return split(lines);
}

function costLines(cost: NonNullable<Coverage["cost"]>): string[] {
  const before = cost.budget.spentMicros > 0 ? `, of which ${formatUsd(cost.budget.spentMicros)} was spent before the review` : "";
  const lines = [`Estimated cost: ${formatUsd(cost.estimateMicros)} of ${cost.budget.describe}${before}.`];
  if (cost.wholeEstimateMicros > cost.estimateMicros) lines.push(`Every file would cost an estimated ${formatUsd(cost.wholeEstimateMicros)}.`);
  if (cost.spentMicros !== undefined) lines.push(`Spent on the review: ${formatUsd(cost.spentMicros)}.`);
  return lines;
}

function passLine(coverage: Coverage): string | undefined {
  if (!coverage.models) return undefined;
  const full = coverage.reviewed.filter((file) => file.pass === "full").length;
  const lighter = coverage.reviewed.length - full;
  const passes = [
    ...(full > 0 ? [`${count(full, "file")} in full with ${coverage.models.full} (models.review)`] : []),
    ...(lighter > 0 ? [`${count(lighter, "file")} in the lighter pass with ${coverage.models.tail} (models.review_tail)`] : []),
  ];
  return passes.length > 0 ? `Passes: ${passes.join("; ")}.` : undefined;
}

function byReason(files: readonly { path: string; reason: string }[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const { path, reason } of files) groups.set(reason, [...(groups.get(reason) ?? []), path]);
  return groups;
}

/** The lines in the check's summary and, past its limit, its text; what fits in neither is counted. */
function split(lines: readonly string[]): { summary: string; text?: string } {
  const texts: string[][] = [[]];
  let size = 0;
  for (const [index, line] of lines.entries()) {
    if (size + line.length + 1 > TEXT_LIMIT) {
      if (texts.length === 2) {
        texts[1]!.push(`- …and ${lines.length - index} more lines`);
        break;
      }
      texts.push([]);
      size = 0;
    }
    texts.at(-1)!.push(line);
    size += line.length + 1;
  }
  const [summary = [], text] = texts;
  return text ? { summary: [...summary, "", "(Continued below.)"].join("\n"), text: text.join("\n") } : { summary: summary.join("\n") };
}

const short = (sha: string) => sha.slice(0, 7);

const figure = (n: number) => n.toLocaleString("en-US");

export function count(n: number, noun: string): string {
  return `${figure(n)} ${noun}${n === 1 ? "" : "s"}`;
}
