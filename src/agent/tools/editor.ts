import { lstat, readdir } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { type PathPolicy, VIRTUAL_ROOT } from "../../workspace/paths.js";
import { parseToolInput } from "./input.js";
import { type ToolOutcome, ToolInputError } from "./types.js";

/**
 * Anthropic's text editor tool (`text_editor_20250728`, named `str_replace_based_edit_tool`):
 * view, create, str_replace and insert, on files inside the workspace only. Every read and write
 * goes through the path policy's own `readText` / `writeFile`, which check the descriptor they
 * opened, not only the path. Both `insert_text` and `new_str` are accepted for `insert`, since
 * models send either.
 */

export const EDITOR_TOOL_NAME = "str_replace_based_edit_tool";
/** The most characters one view returns; the model can ask for a line range. */
export const MAX_VIEW_CHARACTERS = 40_000;
/** The editor works on source files. */
const MAX_FILE_BYTES = 2 * 1024 * 1024;

const editorInput = z.discriminatedUnion("command", [
  z.object({ command: z.literal("view"), path: z.string(), view_range: z.tuple([z.number().int(), z.number().int()]).optional() }),
  z.object({ command: z.literal("create"), path: z.string(), file_text: z.string() }),
  z.object({ command: z.literal("str_replace"), path: z.string(), old_str: z.string(), new_str: z.string().optional() }),
  z.object({ command: z.literal("insert"), path: z.string(), insert_line: z.number().int().min(0), insert_text: z.string().optional(), new_str: z.string().optional() }),
]);

export async function runEditor(input: unknown, policy: PathPolicy): Promise<ToolOutcome> {
  const request = parseToolInput(EDITOR_TOOL_NAME, editorInput, input);
  const shown = (absolute: string) => `${VIRTUAL_ROOT}/${policy.relative(absolute)}`.replace(/\/\.$/, "");

  if (request.command === "view") {
    const file = policy.forRead(request.path);
    // lstat: the policy resolved every link already; a link here now was put there since.
    const info = await lstat(file).catch(() => undefined);
    if (!info) throw new ToolInputError(`${request.path} does not exist`);
    if (info.isDirectory()) return { content: await listDirectory(file, policy) };
    const text = await readText(request.path, policy);
    const lines = text.split("\n");
    const [start, end] = request.view_range ?? [1, lines.length];
    const last = end === -1 ? lines.length : Math.min(end, lines.length);
    if (start < 1 || start > Math.max(lines.length, 1) || last < start) throw new ToolInputError(`view_range [${start}, ${end}] is outside the file's ${lines.length} lines`);
    let numbered = lines
      .slice(start - 1, last)
      .map((line, index) => `${String(start + index).padStart(6)}\t${line}`)
      .join("\n");
    if (numbered.length > MAX_VIEW_CHARACTERS) {
      numbered = `${numbered.slice(0, MAX_VIEW_CHARACTERS)}\n… (cut at ${MAX_VIEW_CHARACTERS} characters; view a smaller view_range)`;
    }
    return { content: numbered };
  }

  if (request.command === "create") {
    const file = await policy.writeFile(request.path, request.file_text);
    return { content: `Created ${shown(file)}.`, changed: policy.relative(file) };
  }

  // Refused before reading when the file may not be edited at all.
  const file = policy.forWrite(request.path);
  const text = await readText(request.path, policy);
  if (request.command === "str_replace") {
    const count = text.split(request.old_str).length - 1;
    if (request.old_str === "" || count === 0) throw new ToolInputError(`old_str was not found in ${shown(file)}; view the file and copy the text exactly`);
    if (count > 1) {
      const lines = lineNumbersOf(text, request.old_str);
      throw new ToolInputError(`old_str occurs ${count} times in ${shown(file)} (lines ${lines.join(", ")}); include more context so it is unique`);
    }
    await policy.writeFile(request.path, text.replace(request.old_str, () => request.new_str ?? ""));
    return { content: `Edited ${shown(file)}.`, changed: policy.relative(file) };
  }

  const inserted = request.insert_text ?? request.new_str;
  if (inserted === undefined) throw new ToolInputError("insert needs insert_text (or new_str)");
  const lines = text.split("\n");
  if (request.insert_line > lines.length) throw new ToolInputError(`insert_line ${request.insert_line} is past the end of ${shown(file)} (${lines.length} lines)`);
  lines.splice(request.insert_line, 0, ...inserted.replace(/\n$/, "").split("\n"));
  await policy.writeFile(request.path, lines.join("\n"));
  return { content: `Inserted ${inserted.split("\n").length} line(s) after line ${request.insert_line} of ${shown(file)}.`, changed: policy.relative(file) };
}

async function readText(requested: string, policy: PathPolicy): Promise<string> {
  const text = await policy.readText(requested, MAX_FILE_BYTES);
  if (text.includes("\0")) throw new ToolInputError("the file is binary");
  return text;
}

function lineNumbersOf(text: string, needle: string): number[] {
  const found: number[] = [];
  let index = text.indexOf(needle);
  while (index !== -1 && found.length < 10) {
    found.push(text.slice(0, index).split("\n").length);
    index = text.indexOf(needle, index + 1);
  }
  return found;
}

/** Two levels of a directory, hidden entries, dependencies and links that lead out left out. */
async function listDirectory(dir: string, policy: PathPolicy, depth = 0): Promise<string> {
  const listed = (await readdir(dir, { withFileTypes: true })).filter((entry) => !entry.name.startsWith(".") && entry.name !== "node_modules");
  const kept = await Promise.all(listed.map(async (entry) => !entry.isSymbolicLink() || (await policy.lookup(policy.relative(path.join(dir, entry.name)))) !== undefined));
  const entries = listed.filter((_entry, index) => kept[index]).sort((a, b) => a.name.localeCompare(b.name));
  const lines: string[] = [];
  for (const entry of entries.slice(0, 200)) {
    const absolute = path.join(dir, entry.name);
    lines.push(`${"  ".repeat(depth)}${VIRTUAL_ROOT}/${policy.relative(absolute)}${entry.isDirectory() ? "/" : ""}`);
    if (entry.isDirectory() && depth < 1) {
      const inner = await listDirectory(absolute, policy, depth + 1);
      if (inner) lines.push(inner);
    }
  }
  if (entries.length > 200) lines.push(`${"  ".repeat(depth)}… and ${entries.length - 200} more`);
  return lines.join("\n");
}
