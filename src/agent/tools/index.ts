import type Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";
import { PathPolicy, PathRefused } from "../../workspace/paths.js";
import { BASH_TOOL_NAME, type BashOptions, runBash } from "./bash.js";
import { EDITOR_TOOL_NAME, runEditor } from "./editor.js";
import { type CommandOptions, COMMAND_NAMES, runCommand } from "./run-command.js";
import { ToolSchemaError, describeSchemaError, parseToolInput } from "./input.js";
import { findFiles, searchFiles } from "./search.js";
import { summarizeToolInput } from "./call-summary.js";
import type { RunEventSink } from "../run-event-log.js";
import { type ToolOutcome, ToolInputError } from "./types.js";

/**
 * The agent's tools: their definitions as the Messages API takes them (in a fixed order, so the
 * cached prefix stays the same turn after turn) and one dispatcher that never throws for anything
 * the model asks — a refusal or a mistake becomes an error tool_result the model can act on. Each
 * call is told to the run's event log, when there is one: the commands as commands, the rest as
 * tool calls.
 */

export type ToolDefinition = Anthropic.ToolUnion;

/** What one call gave: an error result is marked, and so is one whose input broke its schema. */
export type ToolCallOutcome = ToolOutcome & { isError?: boolean; schemaError?: boolean };

export interface ToolSetOptions {
  policy: PathPolicy;
  /** Absent for read-only work (plans): no editor writes, no commands. */
  commands?: CommandOptions;
  /** The persistent shell in the sandbox; absent when there is no sandbox or agent.shell is false. */
  bash?: BashOptions;
  readOnly?: boolean;
  /**
   * An extra tool the loop ends with, e.g. a plan's structured answer; `finish` otherwise. `parse`
   * may throw a ZodError (or a ToolInputError): the model is told what was wrong and may call again.
   */
  finishTool?: { name: string; description: string; input_schema: Anthropic.Tool.InputSchema; parse: (input: unknown) => { summary: string } };
  /** Where each call is recorded: the run's event log, filed under the step the tools work for. */
  events?: RunEventSink;
}

const finishInput = z.object({ summary: z.string().min(1) });

export class ToolSet {
  constructor(private readonly options: ToolSetOptions) {}

  definitions(): ToolDefinition[] {
    const tools: ToolDefinition[] = [];
    if (!this.options.readOnly) tools.push({ type: "text_editor_20250728", name: EDITOR_TOOL_NAME, max_characters: 40_000 });
    else {
      tools.push({
        name: "view",
        description: "Shows a file with line numbers, or lists a directory. Paths are under /repo.",
        input_schema: { type: "object", properties: { path: { type: "string" }, view_range: { type: "array", items: { type: "integer" }, minItems: 2, maxItems: 2 } }, required: ["path"] },
      });
    }
    tools.push(
      {
        name: "find_files",
        description: "Lists the repository's files matching a glob, e.g. src/**/*.ts or *.md. At most 200.",
        input_schema: { type: "object", properties: { pattern: { type: "string" }, max_results: { type: "integer" } }, required: ["pattern"] },
      },
      {
        name: "search",
        description: "Searches file contents with a JavaScript regular expression; returns path:line: text, at most 100 matches.",
        input_schema: {
          type: "object",
          properties: { pattern: { type: "string" }, include: { type: "string", description: "a glob of files to search" }, ignore_case: { type: "boolean" }, max_results: { type: "integer" } },
          required: ["pattern"],
        },
      },
    );
    if (!this.options.readOnly && this.options.bash) tools.push({ type: "bash_20250124", name: BASH_TOOL_NAME });
    const allowed = COMMAND_NAMES.filter((name) => this.options.commands?.commands[name]);
    if (!this.options.readOnly && allowed.length > 0) {
      tools.push({
        name: "run",
        description: `Runs one of the repository's commands by name: ${allowed.map((name) => `${name} (${this.options.commands!.commands[name]})`).join(", ")}. Returns the exit status and the end of the output.`,
        input_schema: { type: "object", properties: { command: { type: "string", enum: allowed } }, required: ["command"] },
      });
    }
    const finish = this.options.finishTool;
    tools.push(
      finish
        ? { name: finish.name, description: finish.description, input_schema: finish.input_schema }
        : {
            name: "finish",
            description: "Call when the work is done (or cannot be done), with a summary for the pull request: what changed and why.",
            input_schema: { type: "object", properties: { summary: { type: "string" } }, required: ["summary"] },
          },
    );
    return tools;
  }

  async execute(name: string, input: unknown): Promise<ToolCallOutcome> {
    const started = performance.now();
    const record = (output: string, exitCode?: number | null) => this.options.events?.record({ ...this.described(name, input), output, exitCode: exitCode ?? null, durationMs: performance.now() - started });
    try {
      const outcome = await this.dispatch(name, input);
      record(outcome.content, outcome.exitCode);
      return outcome;
    } catch (error) {
      record(`the tool failed: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }

  /** What the event log calls a call: `run` by the command's name and its command line, any other tool by its name and input. */
  private described(name: string, input: unknown): { kind: "tool_call" | "command"; name: string; summary: string } {
    const command = name === "run" && !this.options.readOnly ? (input as { command?: unknown } | null)?.command : undefined;
    const allowed: Partial<Record<string, string>> = this.options.commands?.commands ?? {};
    const line = typeof command === "string" && Object.hasOwn(allowed, command) ? allowed[command] : undefined;
    if (typeof command === "string" && line) return { kind: "command", name: command, summary: line };
    return { kind: "tool_call", name, summary: summarizeToolInput(name, input) };
  }

  private async dispatch(name: string, input: unknown): Promise<ToolCallOutcome> {
    try {
      switch (name) {
        case EDITOR_TOOL_NAME:
          if (this.options.readOnly) break;
          return await runEditor(input, this.options.policy);
        case "view":
          return await runEditor({ ...(input as object), command: "view" }, this.options.policy);
        case "find_files":
          return await findFiles(input, this.options.policy);
        case "search":
          return await searchFiles(input, this.options.policy);
        case "run":
          if (!this.options.commands || this.options.readOnly) break;
          return await runCommand(input, this.options.commands);
        case BASH_TOOL_NAME:
          if (!this.options.bash || this.options.readOnly) break;
          return await runBash(input, this.options.bash);
        default: {
          const finish = this.options.finishTool;
          if (finish && name === finish.name) return { content: "Recorded.", finished: finish.parse(input) };
          if (!finish && name === "finish") return { content: "Done.", finished: { summary: parseToolInput("finish", finishInput, input).summary } };
        }
      }
      throw new ToolSchemaError(`there is no tool named ${name}; the tools are ${this.definitions().map((tool) => ("name" in tool ? tool.name : tool.type)).join(", ")}`);
    } catch (error) {
      if (error instanceof ToolSchemaError) return { content: error.message, isError: true, schemaError: true };
      if (error instanceof z.ZodError) return { content: `invalid input for ${name}: ${describeSchemaError(error)}`, isError: true, schemaError: true };
      if (error instanceof ToolInputError || error instanceof PathRefused) return { content: error.message, isError: true };
      throw error;
    }
  }
}

export { PathPolicy };
