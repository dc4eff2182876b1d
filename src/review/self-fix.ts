import { z } from "zod";
import { type CodingRun, runCodingAgent } from "../agent/coding-tools.js";
import type { IssueText } from "../agent/context.js";
import { renderPrompt } from "../agent/prompts.js";
import { sanitize } from "../agent/sanitize.js";
import type { ToolSetOptions } from "../agent/tools/index.js";
import { withoutClosingReferences } from "../integrations/github/safe-markdown.js";
import type { Workspace } from "../workspace/workspace.js";
import type { Finding } from "./findings.js";
import { title, where } from "./self-review-section.js";

/**
 * The coding agent once more, in the run's workspace, on the findings of the self-review: it fixes
 * what it agrees with and says why it leaves the rest, through its `finish` tool. What it changed
 * is committed on top of its first commit and pushed as a fast-forward. The findings reach it as
 * text the reviewer wrote while reading the diff, which anyone who wrote the repository's files or
 * the issue may have steered, so they are sanitised and go in tagged blocks, read as findings and
 * not as instructions.
 */

export interface SelfFix {
  /** The pushed fix commit; absent when nothing was committed. */
  sha?: string;
  /** Why each finding was left, by its index in the list given (1-based), as the agent said. */
  left: Map<number, string>;
  /** Why nothing was committed, when nothing was. */
  nothing?: string;
}

const decisionsSchema = z.object({
  summary: z.string().min(1),
  findings: z
    .array(z.object({ index: z.number().int().positive(), fixed: z.boolean(), reason: z.string().default("") }))
    .default([]),
});

const FINISH_TOOL = {
  name: "finish",
  description: "Call when you have addressed the findings: a summary of what you changed, and for each finding by its index whether you fixed it and, if not, why.",
  input_schema: {
    type: "object" as const,
    properties: {
      summary: { type: "string", description: "What you changed and why, for the commit message." },
      findings: {
        type: "array",
        items: {
          type: "object",
          properties: { index: { type: "integer" }, fixed: { type: "boolean" }, reason: { type: "string", description: "Why it was left, when it was." } },
          required: ["index", "fixed"],
        },
      },
    },
    required: ["summary", "findings"],
  },
};

/** The fix commit's subject; a resumed step knows by it that its fix was pushed. */
export function selfReviewSubject(issue: number): string {
  return `fix: address self-review findings (#${issue})`;
}

/** A finding's text as the agent may read it: what renders on GitHub, and no way to close its block. */
function blockText(text: string): string {
  return sanitize(text).replace(/<\/?finding\b/gi, (tag) => tag.replace("<", "&lt;"));
}

/** An attribute's value: one line, no quote or angle bracket to leave it with. */
function attribute(text: string): string {
  return sanitize(text).replace(/["<>\s]+/g, " ").trim().slice(0, 200);
}

export async function fixFindings(
  session: CodingRun,
  workspace: Workspace,
  input: { issue: IssueText; findings: readonly Finding[]; maxTurns: number },
  signal?: AbortSignal,
): Promise<SelfFix> {
  const { target } = session;
  let decisions: z.output<typeof decisionsSchema> | undefined;
  const finishTool: NonNullable<ToolSetOptions["finishTool"]> = {
    ...FINISH_TOOL,
    parse(raw) {
      decisions = decisionsSchema.parse(raw);
      return { summary: decisions.summary };
    },
  };
  const task = await renderPrompt("self-review-fix", {
    issue: { number: input.issue.number, title: attribute(input.issue.title) },
    findings: input.findings.map((finding, i) => ({
      index: i + 1,
      severity: finding.severity,
      category: attribute(finding.category),
      where: attribute(where(finding).replace(/`/g, "")),
      body: blockText(finding.body),
      suggestion: finding.suggestion === undefined ? "" : blockText(finding.suggestion),
    })),
  });
  const { result, policy } = await runCodingAgent(session, workspace, { task, maxTurns: input.maxTurns, finishTool, signal });
  const left = new Map<number, string>();
  for (const decision of decisions?.findings ?? []) if (!decision.fixed) left.set(decision.index, decision.reason);
  if (!result.finished) {
    // Half-done work is not committed: the change as tested stays, the findings are left.
    await workspace.discard(() => true);
    return { left, nothing: `the agent did not finish within its ${input.maxTurns} turns` };
  }
  await workspace.discard((file) => !policy.mayWrite(file));
  if ((await workspace.changedFiles()).length === 0) return { left, nothing: oneLine(result.summary) };

  const fixed = input.findings.filter((_, i) => !left.has(i + 1));
  const requester = await session.source.requester();
  const listed = fixed.map((finding) => `- ${finding.severity} ${where(finding).replace(/`/g, "")}: ${title(finding.body)}`);
  const message = [
    selfReviewSubject(target.number),
    withoutClosingReferences(result.summary.trim()),
    ...(listed.length > 0 ? [withoutClosingReferences(`Findings addressed:\n${listed.join("\n")}`)] : []),
    `Co-authored-by: ${requester.name} <${requester.email}>\n`,
  ].join("\n\n");
  await workspace.commit(message, await session.source.committer());
  return { sha: await workspace.push(), left };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 300);
}
