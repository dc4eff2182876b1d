import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseEnv } from "node:util";

/**
 * The `.env` file the setup page writes the registered App's credentials to, and the process reads
 * at start.
 *
 * Reading fills a variable the environment leaves unset *or empty*: docker-compose passes every
 * line of a copied `.env.example` as an empty variable, and Node's own loader would let that
 * empty APP_ID hide the one the setup page wrote.
 *
 * Writing changes the named lines in place and appends the others, so the comments of a `.env`
 * copied from `.env.example` survive; it writes through a symbolic link (the container image
 * links `/app/.env` into its config volume) rather than replacing it, and keeps the file private
 * to its owner, since it holds the App's private key.
 */

/** Loads the file into `env` where a variable is unset or empty; returns the names it set. */
export function loadEnvFile(path: string, env: NodeJS.ProcessEnv = process.env): string[] {
  if (!existsSync(path)) return [];
  const values = parseEnv(readFileSync(path, "utf8"));
  const loaded: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || (env[name] ?? "").trim() !== "") continue;
    env[name] = value;
    loaded.push(name);
  }
  return loaded;
}

/** Sets the variables in the file (created if missing), leaving every other line as it was. */
export function updateEnvFile(path: string, values: Record<string, string>): void {
  const lines = existsSync(path) ? readFileSync(path, "utf8").split("\n") : [];
  const pending = new Map(Object.entries(values));
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const name = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    if (name === undefined || !pending.has(name)) {
      out.push(line);
      continue;
    }
    // A quoted value may run over several lines (a PEM key pasted as is): drop all of them.
    const quote = /=\s*(["'`])/.exec(line)?.[1];
    if (quote && !closesQuote(line.slice(line.indexOf(quote) + 1), quote)) {
      while (i + 1 < lines.length && !closesQuote(lines[i + 1] ?? "", quote)) i++;
      i++;
    }
    out.push(`${name}=${formatValue(pending.get(name) ?? "")}`);
    pending.delete(name);
  }
  if (out.length > 0 && out.at(-1) === "") out.pop();
  for (const [name, value] of pending) out.push(`${name}=${formatValue(value)}`);
  writeFileSync(path, `${out.join("\n")}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

function closesQuote(text: string, quote: string): boolean {
  return text.trimEnd().endsWith(quote);
}

/** Bare when that reads back the same; else double quotes, in which the loader turns `\n` into a newline. */
function formatValue(value: string): string {
  if (/^[A-Za-z0-9_./:@%+,=-]*$/.test(value)) return value;
  if (/["\\]/.test(value)) throw new Error("a value for .env may not contain a double quote or a backslash");
  return `"${value.replace(/\r?\n/g, "\\n")}"`;
}
