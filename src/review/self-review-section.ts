import { neutralizeForGitHub } from "../integrations/github/safe-markdown.js";
import { type Finding, type Severity, severityIcon } from "./findings.js";

/**
 * The "### Self-review" section of the agent's pull request: each finding the reviewer made on the
 * agent's change before the pull request opened — its severity, where, what — and what became of
 * it. The findings and the agent's reasons are the model's words, so the whole section is made
 * safe to post (no mention but the requester's, no closing keyword, no raw HTML).
 */

export type Outcome =
  /** Fixed in the self-review's commit. */
  | { kind: "fixed"; sha: string }
  /** Below `agent.self_review_severity`, so not given to the agent. */
  | { kind: "below" }
  /** Given to the agent, which left it: its reason, or none when it gave none. */
  | { kind: "left"; reason: string };

export interface SectionInput {
  findings: readonly { finding: Finding; outcome: Outcome }[];
  severity: Severity;
  /** Files the reviewer did not read, and why. */
  skipped: readonly { path: string; reason: string }[];
  requester: string;
}

const HEADING = "### Self-review";
const LISTED_SKIPPED = 10;

export function selfReviewSection(input: SectionInput): string {
  const lines = [HEADING];
  if (input.findings.length === 0) {
    lines.push(`The reviewer read this change before the pull request was opened and found nothing at or above \`${input.severity}\`.`);
  } else {
    const count = input.findings.length === 1 ? "1 finding" : `${input.findings.length} findings`;
    lines.push(`The reviewer read this change before the pull request was opened: ${count}; the agent addressed those at or above \`${input.severity}\`.`, "");
    for (const { finding, outcome } of input.findings) lines.push(`- ${severityIcon(finding.severity)} **${finding.severity}** ${where(finding)} ${title(finding.body)} — ${outcomeText(outcome, input.severity)}`);
  }
  if (input.skipped.length > 0) {
    const named = input.skipped.slice(0, LISTED_SKIPPED).map((file) => `\`${file.path.replace(/`/g, "'")}\` (${file.reason})`);
    const more = input.skipped.length > LISTED_SKIPPED ? ` and ${input.skipped.length - LISTED_SKIPPED} more` : "";
    lines.push("", `Not reviewed: ${named.join(", ")}${more}.`);
  }
  return neutralizeForGitHub(lines.join("\n"), { requester: input.requester });
}

/** The section of a step resumed after its fix was pushed: the findings are in that commit's message. */
export function resumedSection(sha: string, requester: string): string {
  return neutralizeForGitHub(`${HEADING}\nThe agent addressed the self-review's findings in ${short(sha)}; its commit message lists them.`, { requester });
}

function outcomeText(outcome: Outcome, severity: Severity): string {
  if (outcome.kind === "fixed") return `fixed in ${short(outcome.sha)}`;
  if (outcome.kind === "below") return `left, below \`${severity}\``;
  return outcome.reason ? `left: ${oneLine(outcome.reason, 300)}` : "left: the agent gave no reason";
}

/** `` `src/a.ts:12` ``, or `:10-12` for a range. */
export function where(finding: Pick<Finding, "path" | "line" | "start_line">): string {
  const start = finding.start_line !== undefined && finding.start_line < finding.line ? `${finding.start_line}-` : "";
  return `\`${finding.path.replace(/`/g, "'")}:${start}${finding.line}\``;
}

/** A finding's title: the first sentence or line of its body, at most 120 characters. */
export function title(body: string): string {
  const first = body.trim().split(/\n|(?<=[.!?])\s/)[0] ?? "";
  return oneLine(first, 120);
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

const short = (sha: string) => sha.slice(0, 7);
