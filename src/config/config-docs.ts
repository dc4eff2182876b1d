/**
 * The meaning and default of every key of `.github/ai-agent.yml`, read from the tables of
 * `docs/configuration.md`. The JSON Schema takes its descriptions from here, so an editor's hover
 * says what the reference says, and a key the reference leaves out fails the schema's generation.
 *
 * Tables with the header `| Key | Type | Default | Meaning |` are read. Under the heading
 * "A workflow" the keys are those of one workflow, under "A step" those of one step; elsewhere
 * they are paths from the file's root. `[]` stands for a list's items and `<name>` for any key of
 * a mapping. A section's description is its heading's text after the colon.
 */

export interface KeyDoc {
  meaning: string;
  /** As the table writes it: `` `false` ``, "absent", "required". */
  default: string;
}

export type DocTable = "config" | "workflow" | "step";

export interface ConfigDocs {
  /** `config`: `triggers.review.drafts`; `workflow`: `post.always`; `step`: `retry.attempts`. */
  keys: Record<DocTable, Map<string, KeyDoc>>;
  /** Section name → the heading's text. */
  sections: Map<string, string>;
}

const KEY_TABLE_HEADER = /^\|\s*Key\s*\|\s*Type\s*\|\s*Default\s*\|\s*Meaning\s*\|$/;

export function readConfigDocs(markdown: string): ConfigDocs {
  const keys: ConfigDocs["keys"] = { config: new Map(), workflow: new Map(), step: new Map() };
  const sections = new Map<string, string>();
  let table: DocTable = "config";
  let inKeyTable = false;
  for (const line of markdown.split(/\r?\n/)) {
    const heading = /^(#{2,4})\s+(.*)$/.exec(line);
    if (heading) {
      const text = heading[2]!;
      table = /^A workflow$/i.test(text) ? "workflow" : /^A step$/i.test(text) ? "step" : heading[1] === "###" ? "config" : table;
      const section = /^`([a-z_]+)`:\s*(.+)$/.exec(text);
      if (section) sections.set(section[1]!, plainText(section[2]!));
      inKeyTable = false;
      continue;
    }
    if (KEY_TABLE_HEADER.test(line.trim())) {
      inKeyTable = true;
      continue;
    }
    if (!line.startsWith("|")) {
      inKeyTable = false;
      continue;
    }
    if (!inKeyTable) continue;
    const cells = splitRow(line);
    const key = /^`([^`]+)`$/.exec(cells[0] ?? "")?.[1];
    if (!key || cells.length !== 4) continue;
    keys[table].set(key, { default: plainText(cells[2]!), meaning: plainText(cells[3]!) });
  }
  return { keys, sections };
}

/** The row's documentation for `path`, where a `<name>` segment of the row's key matches any segment. */
export function lookUp(docs: ConfigDocs, table: DocTable, path: string): KeyDoc | undefined {
  const exact = docs.keys[table].get(path);
  if (exact) return exact;
  const segments = path.split(".");
  for (const [key, doc] of docs.keys[table]) {
    const pattern = key.split(".");
    if (pattern.length === segments.length && pattern.every((part, i) => part === segments[i] || /^<[a-z_]+>$/.test(part))) return doc;
  }
  return undefined;
}

/** The cells of a table row; `\|` inside a cell is a literal bar. */
function splitRow(line: string): string[] {
  const cells = line.trim().replace(/^\|/, "").replace(/\|$/, "").split(/(?<!\\)\|/);
  return cells.map((cell) => cell.trim().replace(/\\\|/g, "|"));
}

/** Markdown links become their text; the rest (backticks included) reads well as plain text. */
function plainText(markdown: string): string {
  return markdown.replace(/\[([^\]]+)\]\([^)]*\)/g, "$1").replace(/\*\*([^*]+)\*\*/g, "$1").trim();
}
