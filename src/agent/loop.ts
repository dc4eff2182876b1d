import type Anthropic from "@anthropic-ai/sdk";
import { UserFacingError } from "../core/errors.js";
import { safeText } from "../core/safe-json.js";
import { type Budget } from "./budget.js";
import type { ModelProvider, ModelRequest, ModelResponse } from "../integrations/kinds/model-provider.js";
import type { ToolSet } from "./tools/index.js";

/**
 * The tool loop: ask the model, run the tools it calls, send back their results, until it calls
 * `finish` (or the turn limit). The prompt is laid out for caching: system prompt, tool definitions
 * and the repository context never change and each carries a cache breakpoint; a fourth breakpoint
 * moves to the newest message each turn, so every request repeats the previous one byte for byte up
 * to that point. Every stop reason is handled: `max_tokens` continues, `pause_turn` is sent back as
 * it came, `refusal` ends the run with the reason, `model_context_window_exceeded` drops the
 * content of older tool results and goes on. A tool call whose input breaks its schema is answered
 * with what was wrong, and the loop goes on; only a model that keeps doing it ends the run.
 */

export interface LoopOptions {
  provider: ModelProvider;
  model: string;
  maxTokens: number;
  maxTurns: number;
  system: string;
  /** The repository context: instructions, map. Stable across the run; cached. */
  context: string;
  /** The task: the issue and what to do. */
  task: string;
  tools: ToolSet;
  budget: Budget;
  signal?: AbortSignal;
  /** Told after each model response, e.g. to show progress. */
  onTurn?: (turn: number, message: ModelResponse) => void | Promise<void>;
}

export interface LoopResult {
  /** Whether the model called finish. */
  finished: boolean;
  summary: string;
  turns: number;
  changedFiles: string[];
}

type Block = Anthropic.ContentBlockParam;
type Turn = Anthropic.MessageParam;

const EPHEMERAL = { type: "ephemeral" } as const;
const COMPACTED = "[output removed to save context]";
/** Tool results of the newest turns are kept when compacting. */
const KEEP_RECENT_RESULTS = 2;
const MAX_NUDGES = 2;
/** Turns in a row whose every tool call broke its schema before the run gives up on the model. */
export const MAX_SCHEMA_FAILURES = 3;

export async function runLoop(options: LoopOptions): Promise<LoopResult> {
  const messages: Turn[] = [
    {
      role: "user",
      content: [
        { type: "text", text: options.context, cache_control: EPHEMERAL },
        { type: "text", text: options.task },
      ],
    },
  ];
  const tools = options.tools.definitions().map((tool, index, all) => (index === all.length - 1 ? { ...tool, cache_control: EPHEMERAL } : tool));
  const system: Anthropic.TextBlockParam[] = [{ type: "text", text: options.system, cache_control: EPHEMERAL }];
  const changed = new Set<string>();
  let nudges = 0;
  let schemaFailures = 0;
  let lastText = "";

  for (let turn = 1; turn <= options.maxTurns; turn++) {
    const request: ModelRequest = { model: options.model, max_tokens: options.maxTokens, system, tools, messages: withMovingBreakpoint(messages) };
    const response = await options.budget.call(options.provider, request, options.signal);
    await options.onTurn?.(turn, response);
    const text = response.content.filter((block): block is Anthropic.TextBlock => block.type === "text").map((block) => block.text).join("\n").trim();
    if (text) lastText = text;

    switch (response.stop_reason) {
      case "refusal":
        throw new UserFacingError(`The model declined to continue with this task${text ? `: ${text.slice(0, 500)}` : "."}`);
      case "model_context_window_exceeded":
        if (!compact(messages)) throw new UserFacingError("The conversation outgrew the model's context window even after older tool output was dropped.");
        continue;
      case "pause_turn":
        messages.push({ role: "assistant", content: asParams(response.content) });
        continue;
      default:
        break;
    }

    let content = asParams(response.content);
    // A response cut off by max_tokens may end in a tool call whose input is incomplete.
    if (response.stop_reason === "max_tokens" && content.at(-1)?.type === "tool_use") content = content.slice(0, -1);
    const calls = content.filter((block): block is Anthropic.ToolUseBlockParam => block.type === "tool_use");
    if (content.length > 0) messages.push({ role: "assistant", content });

    const results: Block[] = [];
    /** The last message of a call whose input broke its schema, and how many did this turn. */
    let schemaError = "";
    let broke = 0;
    for (const call of calls) {
      const outcome = await options.tools.execute(call.name, call.input);
      if (outcome.changed) changed.add(outcome.changed);
      if (outcome.finished) return { finished: true, summary: outcome.finished.summary, turns: turn, changedFiles: [...changed] };
      if (outcome.schemaError) {
        schemaError = outcome.content;
        broke++;
      }
      // Output may hold NUL bytes, broken encoding or megabytes; the API refuses lone surrogates.
      results.push({ type: "tool_result", tool_use_id: call.id, content: safeText(outcome.content), ...(outcome.isError ? { is_error: true } : {}) });
    }
    if (calls.length > 0) {
      // A turn with one call that fit its schema shows the model can use the tools: start counting again.
      schemaFailures = broke === calls.length ? schemaFailures + 1 : 0;
      if (schemaFailures >= MAX_SCHEMA_FAILURES) throw new UserFacingError(`The model's tool calls kept failing their schema: ${safeText(schemaError, 500)}`);
    }
    if (response.stop_reason === "max_tokens") {
      results.push({ type: "text", text: "Your last response reached the output limit and was cut off. Continue from where it stopped, in smaller steps." });
    } else if (calls.length === 0) {
      if (nudges++ >= MAX_NUDGES) return { finished: false, summary: lastText, turns: turn, changedFiles: [...changed] };
      results.push({ type: "text", text: "Continue with the task using the tools; when it is done, call finish with a summary." });
    }
    if (content.length === 0 && results.every((block) => block.type === "text")) {
      // Nothing was said: keep user and assistant turns alternating by merging into the last user turn.
      messages.push({ role: "assistant", content: [{ type: "text", text: "(no output)" }] });
    }
    messages.push({ role: "user", content: results });
  }
  return { finished: false, summary: lastText, turns: options.maxTurns, changedFiles: [...changed] };
}

/**
 * The content of a response as the next request sends it back: the same blocks, without the
 * fields only responses carry (a text block's `citations: null`, a tool call's `caller`).
 */
function asParams(content: Anthropic.ContentBlock[]): Block[] {
  return content.map((block): Block => {
    if (block.type === "text") return { type: "text", text: block.text, ...(block.citations ? { citations: block.citations as Anthropic.TextCitationParam[] } : {}) };
    if (block.type === "tool_use") return { type: "tool_use", id: block.id, name: block.name, input: block.input };
    // Thinking and server-tool blocks go back exactly as they came, as the API requires.
    return block;
  });
}

/** The messages with a cache breakpoint on the newest block, without changing the stored ones. */
function withMovingBreakpoint(messages: Turn[]): Turn[] {
  const last = messages.at(-1);
  if (!last || last.role === "system" || typeof last.content === "string" || last.content.length === 0) return messages;
  const blocks: Block[] = [...last.content];
  const final = blocks.at(-1)!;
  if (final.type === "thinking" || final.type === "redacted_thinking" || "cache_control" in final) return messages;
  blocks[blocks.length - 1] = { ...final, cache_control: EPHEMERAL };
  const marked: Turn = { role: last.role, content: blocks };
  return [...messages.slice(0, -1), marked];
}

/** Replaces the content of older tool results; false when there was nothing left to drop. */
function compact(messages: Turn[]): boolean {
  const resultTurns = messages.filter((turn) => turn.role === "user" && Array.isArray(turn.content) && turn.content.some((b) => b.type === "tool_result"));
  let dropped = false;
  for (const turn of resultTurns.slice(0, -KEEP_RECENT_RESULTS)) {
    if (turn.role === "system" || typeof turn.content === "string") continue;
    turn.content = turn.content.map((block): Block => {
      if (block.type !== "tool_result" || block.content === COMPACTED) return block;
      dropped = true;
      return { ...block, content: COMPACTED };
    });
  }
  return dropped;
}
