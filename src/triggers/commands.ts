import { type CommandName, type SlashCommand, commandNames } from "../core/trigger.js";

/**
 * The `/ai` slash commands, parsed from an issue or pull request comment. Pure: no I/O. A line
 * addressed to someone (`@ai-agent plan`) reads the same way, with whom it addresses: the intake
 * keeps it only when that is the app, whose name the webhook does not carry.
 *
 * A command counts only at the start of a line of ordinary text. Lines inside fenced or indented
 * code, block quotes and HTML comments are skipped, so quoting someone's "/ai implement" in a
 * reply, or documenting the commands in a code block, never triggers a run.
 */

const COMMAND_LINE = /^ {0,3}(?:\/ai|@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?))(?:\s+(\S+))?(?:[ \t]+(.*))?$/i;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/** Commands whose text may continue on the lines after the command line. */
const MULTILINE: ReadonlySet<CommandName> = new Set(["implement", "ask"]);

/** Every command in the comment, in order. Most callers act on the first. */
export function parseSlashCommands(body: string | null | undefined): SlashCommand[] {
  if (!body) return [];
  const lines = stripHtmlComments(body).replace(/\r\n?/g, "\n").split("\n");
  const commands: SlashCommand[] = [];
  let fence: string | null = null;
  let current: { command: SlashCommand; lines: string[] } | null = null;

  const flush = () => {
    if (current) {
      const text = current.lines.join("\n").trim();
      commands.push(current.command.kind === "command" ? { ...current.command, args: text } : { ...current.command, text });
    }
    current = null;
  };

  for (const line of lines) {
    const fenceMatch = FENCE.exec(line);
    if (fence !== null) {
      if (fenceMatch && fenceMatch[1]![0] === fence[0] && fenceMatch[1]!.length >= fence.length) fence = null;
      if (current) current.lines.push(line);
      continue;
    }
    if (fenceMatch) {
      fence = fenceMatch[1]!;
      if (current) current.lines.push(line);
      continue;
    }
    const match = isQuoteOrIndentedCode(line) ? null : COMMAND_LINE.exec(line);
    if (!match) {
      if (current) current.lines.push(line);
      continue;
    }
    flush();
    const mention = match[1] ? { mention: match[1].replace(/\[bot\]$/i, "").toLowerCase() } : {};
    const first = match[2] ?? "";
    const word = (first || "help").toLowerCase();
    const rest = match[3] ?? "";
    if (!isCommandName(word)) {
      // Everything after `/ai` is kept: on the app's own pull request it is a request in words.
      current = { command: { kind: "unknown", name: word, text: "", ...mention }, lines: [[first, rest].filter(Boolean).join(" ")] };
      continue;
    }
    if (MULTILINE.has(word)) current = { command: { kind: "command", name: word, args: "", ...mention }, lines: [rest] };
    else commands.push({ kind: "command", name: word, args: rest.trim(), ...mention });
  }
  flush();
  return commands;
}

export function isCommandName(word: string): word is CommandName {
  return (commandNames as readonly string[]).includes(word);
}

function isQuoteOrIndentedCode(line: string): boolean {
  return /^ {0,3}>/.test(line) || /^( {4,}|\t)/.test(line);
}

function stripHtmlComments(text: string): string {
  // An unterminated comment hides the rest of the text from readers too, so it hides it here.
  return text.replace(/<!--[\s\S]*?(?:-->|$)/g, "");
}
