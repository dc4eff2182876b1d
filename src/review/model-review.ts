import type Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";
import { type Budget } from "../agent/budget.js";
import type { ModelClient } from "../agent/model.js";
import { renderPrompt } from "../agent/prompts.js";
import type { Chunk } from "./chunk.js";
import { type Finding, findingSchema, severities } from "./findings.js";

/**
 * One chunk of a diff, reviewed by one model call that must answer through `report_findings`. The
 * diff is shown with each line's number on its side (`R12 +`, `L10 -`, `R13  `), so the model cites
 * lines GitHub will accept; what it cites is still checked against the hunks before posting.
 */

export const REPORT_TOOL: Anthropic.Tool = {
  name: "report_findings",
  description: "Report the review of this part of the pull request. Call exactly once.",
  input_schema: {
    type: "object",
    properties: {
      overview: { type: "string", description: "What these changes do, in one or two sentences." },
      findings: {
        type: "array",
        items: {
          type: "object",
          properties: {
            path: { type: "string" },
            start_line: { type: "integer", description: "First line of a multi-line range (same side, same hunk)." },
            line: { type: "integer", description: "The line, as numbered in the diff: R<n> lines are RIGHT, L<n> lines are LEFT." },
            side: { type: "string", enum: ["RIGHT", "LEFT"] },
            severity: { type: "string", enum: [...severities] },
            category: { type: "string", description: "bug, security, performance, correctness, style, docs, test, …" },
            body: { type: "string", description: "What is wrong and why, briefly." },
            suggestion: { type: "string", description: "Replacement text for the lines, for RIGHT-side ranges only." },
          },
          required: ["path", "line", "side", "severity", "category", "body"],
        },
      },
    },
    required: ["overview", "findings"],
  },
};

const reportSchema = z.object({ overview: z.string().default(""), findings: z.array(z.unknown()).default([]) });

export interface ChunkReview {
  overview: string;
  findings: Finding[];
  /** Findings the model wrote that did not fit the schema. */
  unreadable: number;
}

/** The chunk as the model reads it: each file's hunks with line numbers on their side. */
export function renderChunk(chunk: Chunk): string {
  const parts: string[] = [];
  for (const file of chunk.files) {
    parts.push(`--- ${file.path}${file.part ? ` (part ${file.part.index} of ${file.part.of})` : ""}`);
    for (const hunk of file.hunks) {
      parts.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@ ${hunk.header}`.trimEnd());
      for (const line of hunk.lines) {
        if (line.kind === "add") parts.push(`R${line.newLine} + ${line.text}`);
        else if (line.kind === "del") parts.push(`L${line.oldLine} - ${line.text}`);
        else parts.push(`R${line.newLine}   ${line.text}`);
      }
    }
  }
  return parts.join("\n");
}

export async function reviewChunk(options: {
  client: ModelClient;
  model: string;
  maxTokens: number;
  budget: Budget;
  chunk: Chunk;
  context: { title: string; body: string; instructions: string; index: number; of: number };
  signal?: AbortSignal;
}): Promise<ChunkReview> {
  const system = await renderPrompt("review-system", {});
  const diff = renderChunk(options.chunk);
  const text = await renderPrompt("review-chunk", { ...options.context, diff });
  const request = {
    model: options.model,
    max_tokens: options.maxTokens,
    system: [{ type: "text" as const, text: system, cache_control: { type: "ephemeral" as const } }],
    tools: [{ ...REPORT_TOOL, cache_control: { type: "ephemeral" as const } }],
    tool_choice: { type: "tool" as const, name: REPORT_TOOL.name },
    messages: [{ role: "user" as const, content: text }],
  };
  const response = await options.budget.call(options.client, request, options.signal);
  const call = response.content.find((block): block is Anthropic.ToolUseBlock => block.type === "tool_use" && block.name === REPORT_TOOL.name);
  const report = reportSchema.safeParse(call?.input ?? {});
  if (!call || !report.success) return { overview: "", findings: [], unreadable: 1 };
  const findings: Finding[] = [];
  let unreadable = 0;
  for (const raw of report.data.findings) {
    const parsed = findingSchema.safeParse(raw);
    if (parsed.success) findings.push(parsed.data);
    else unreadable++;
  }
  return { overview: report.data.overview, findings, unreadable };
}
