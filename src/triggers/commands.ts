import { type CommandName, type SlashCommand, commandNames } from "../core/trigger.js";

/**
 * The `/ai` slash commands, parsed from an issue or pull request comment. Pure: no I/O.
 *
 * A command counts only at the start of a line of ordinary text. Lines inside fenced or indented
 * code, block quotes and HTML comments are skipped, so quoting someone's "/ai implement" in a
 * reply, or documenting the commands in a code block, never triggers a run.
 */

const COMMAND_LINE = /^ {0,3}\/ai(?:\s+(\S+))?(?:[ \t]+(.*))?$/i;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/** Commands whose text may continue on the lines after the command line. */
const MULTILINE: ReadonlySet<CommandName> = new Set(["implement", "ask"]);

/** Every command in the comment, in order. Most callers act on the first. */
export function parseSlashCommands(body: string | null | undefined): SlashCommand[] {
  if (!body) return [];
  const lines = stripHtmlComments(body).replace(/\r\n?/g, "\n").split("\n");
  const commands: SlashCommand[] = [];
  let fence: string | null = null;
  let current: { name: CommandName; args: string[] } | null = null;

  const flush = () => {
    if (current) commands.push({ kind: "command", name: current.name, args: current.args.join("\n").trim() });
    current = null;
  };

  for (const line of lines) {
    const fenceMatch = FENCE.exec(line);
    if (fence !== null) {
      if (fenceMatch && fenceMatch[1]![0] === fence[0] && fenceMatch[1]!.length >= fence.length) fence = null;
      if (current) current.args.push(line);
      continue;
    }
    if (fenceMatch) {
      fence = fenceMatch[1]!;
      if (current) current.args.push(line);
      continue;
    }
    const match = isQuoteOrIndentedCode(line) ? null : COMMAND_LINE.exec(line);
    if (!match) {
      if (current) current.args.push(line);
      continue;
    }
    flush();
    const word = (match[1] ?? "help").toLowerCase();
    const rest = match[2] ?? "";
    if (!isCommandName(word)) {
      commands.push({ kind: "unknown", name: word });
      continue;
    }
    if (MULTILINE.has(word)) current = { name: word, args: [rest] };
    else commands.push({ kind: "command", name: word, args: rest.trim() });
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
