import { BASH_TOOL_NAME } from "./bash.js";
import { EDITOR_TOOL_NAME } from "./editor.js";

/**
 * A tool call's input made short, for the run's event log: the bash command, the editor's command
 * and path, the search's pattern. The log redacts and bounds it; this only picks what says most.
 */
export function summarizeToolInput(name: string, input: unknown): string {
  const fields = input !== null && typeof input === "object" ? (input as Record<string, unknown>) : {};
  const text = (key: string) => (typeof fields[key] === "string" ? fields[key] : undefined);
  switch (name) {
    case BASH_TOOL_NAME:
      return fields.restart === true ? "restart the shell" : (text("command") ?? describe(input));
    case EDITOR_TOOL_NAME:
    case "view": {
      const command = text("command") ?? "view";
      const range = Array.isArray(fields.view_range) ? ` [${fields.view_range.map(String).join(", ")}]` : "";
      const line = typeof fields.insert_line === "number" ? ` after line ${fields.insert_line}` : "";
      return text("path") ? `${command} ${text("path")}${range}${line}` : describe(input);
    }
    case "find_files":
      return text("pattern") ?? describe(input);
    case "search": {
      const pattern = text("pattern");
      return pattern === undefined ? describe(input) : `${pattern}${text("include") ? ` in ${text("include")}` : ""}`;
    }
    default:
      return describe(input);
  }
}

function describe(input: unknown): string {
  try {
    return JSON.stringify(input) ?? String(input);
  } catch {
    return String(input);
  }
}
