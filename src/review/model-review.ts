import type Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";
import { type Budget } from "../agent/budget.js";
import { renderPrompt } from "../agent/prompts.js";
import { describeSchemaError } from "../agent/tools/input.js";
import { UserFacingError } from "../core/errors.js";
import type { ModelProvider, ModelRequest, ModelResponse } from "../integrations/kinds/model-provider.js";
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
/** The report as the tool's schema asks for it: what the model is held to while it has attempts left. */
const strictReportSchema = reportSchema.extend({ findings: z.array(findingSchema).default([]) });
/** Answers per chunk: the first, and two more after telling the model what was wrong with it. */
export const MAX_REPORT_ATTEMPTS = 3;

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

/** Which pass reads a chunk: the full review, or the lighter one for the least relevant files. */
export type ReviewPass = "full" | "tail";

/** What the model is told about the pull request and the chunk's place in it. */
export interface ChunkContext {
  /** The pull request's text as ./description.ts lets the model read it. */
  title: string;
  body: string;
  bodyWithheld: boolean;
  instructions: string;
  index: number;
  of: number;
}

/** The request that reviews one chunk, as it is priced before the review and sent in it. */
export async function reviewRequest(options: { model: string; maxTokens: number; chunk: Chunk; context: ChunkContext; pass: ReviewPass }): Promise<ModelRequest> {
  const system = await renderPrompt("review-system", {});
  const diff = renderChunk(options.chunk);
  const text = await renderPrompt("review-chunk", { ...options.context, tail: options.pass === "tail", diff });
  return {
    model: options.model,
    max_tokens: options.maxTokens,
    system: [{ type: "text" as const, text: system, cache_control: { type: "ephemeral" as const } }],
    tools: [{ ...REPORT_TOOL, cache_control: { type: "ephemeral" as const } }],
    tool_choice: { type: "tool" as const, name: REPORT_TOOL.name },
    messages: [{ role: "user", content: text }],
  };
}

/** One chunk's review: `request` (from reviewRequest) sent within the budget until its report reads. */
export async function reviewChunk(options: {
  provider: ModelProvider;
  budget: Budget;
  request: ModelRequest;
  /** Where the chunk is in the review, for the message when it fails. */
  place: { index: number; of: number };
  signal?: AbortSignal;
}): Promise<ChunkReview> {
  // A copy: corrections are appended to this review's conversation, not to the planned request.
  const messages: Anthropic.MessageParam[] = [...options.request.messages];
  const request = { ...options.request, messages };
  let problem = "";
  for (let attempt = 1; attempt <= MAX_REPORT_ATTEMPTS; attempt++) {
    const response = await options.budget.call(options.provider, request, options.signal);
    const read = readReport(response, attempt === MAX_REPORT_ATTEMPTS);
    if ("review" in read) return read.review;
    problem = read.problem;
    // The malformed answer goes back with what was wrong, as a tool_result the model can act on.
    messages.push(...correction(response, `${problem}. Call ${REPORT_TOOL.name} again with the whole report, corrected.`));
  }
  const part = options.place.of > 1 ? ` part ${options.place.index} of ${options.place.of} of` : "";
  throw new UserFacingError(`The review of${part} the pull request failed: the model's ${REPORT_TOOL.name} answers kept failing their schema (${MAX_REPORT_ATTEMPTS} attempts): ${problem}`);
}

/**
 * The review in a response, or what is wrong with it. On the last attempt a report whose shape is
 * right keeps the findings that can be read and counts the rest, rather than losing them all.
 */
function readReport(response: ModelResponse, last: boolean): { review: ChunkReview } | { problem: string } {
  const call = response.content.find((block): block is Anthropic.ToolUseBlock => block.type === "tool_use" && block.name === REPORT_TOOL.name);
  if (!call) {
    const cut = response.stop_reason === "max_tokens" ? " (the answer reached the output limit; report fewer, shorter findings)" : "";
    return { problem: `the answer did not call ${REPORT_TOOL.name}${cut}` };
  }
  const strict = strictReportSchema.safeParse(call.input);
  if (strict.success) return { review: { ...strict.data, unreadable: 0 } };
  const problem = { problem: `invalid input for ${REPORT_TOOL.name}: ${describeSchemaError(strict.error)}` };
  const loose = reportSchema.safeParse(call.input);
  if (!last || !loose.success) return problem;
  const findings: Finding[] = [];
  let unreadable = 0;
  for (const raw of loose.data.findings) {
    const parsed = findingSchema.safeParse(raw);
    if (parsed.success) findings.push(parsed.data);
    else unreadable++;
  }
  return { review: { overview: loose.data.overview, findings, unreadable } };
}

/** The turns that answer a malformed response: it, as sent back, and an error result for each tool call. */
function correction(response: ModelResponse, problem: string): Anthropic.MessageParam[] {
  const sent: Anthropic.ContentBlockParam[] = response.content.flatMap((block): Anthropic.ContentBlockParam[] => {
    if (block.type === "text") return block.text ? [{ type: "text", text: block.text }] : [];
    if (block.type === "tool_use") return [{ type: "tool_use", id: block.id, name: block.name, input: block.input }];
    return [];
  });
  const calls = sent.filter((block): block is Anthropic.ToolUseBlockParam => block.type === "tool_use");
  const answer: Anthropic.ContentBlockParam[] =
    calls.length > 0 ? calls.map((call) => ({ type: "tool_result", tool_use_id: call.id, content: problem, is_error: true })) : [{ type: "text", text: problem }];
  return [
    { role: "assistant", content: sent.length > 0 ? sent : [{ type: "text", text: "(no output)" }] },
    { role: "user", content: answer },
  ];
}
