import { z } from "zod";
import { splitCommand } from "../core/argv.js";
import { closest } from "../core/suggest.js";

/**
 * What `agent.commands` asks of the repository itself: an `npm run lint` needs a `lint` script in
 * its package.json, or every run that lints fails with `Missing script: "lint"`. Checked when the
 * repository is at hand (`ai-agent validate <repository>`); the app reading the file from GitHub
 * does not fetch more of the repository for it. A command that cannot run without a shell is
 * named too, since it fails the same way whatever the repository holds.
 */

export interface CommandProblem {
  /** `install`, `test`, `lint` or `build`. */
  name: string;
  message: string;
}

/** package.json as far as scripts go; anything else in it is not ours to judge. */
const packageJson = z.looseObject({ scripts: z.record(z.string(), z.unknown()).optional() });

/** Options that point the package manager at another directory, whose package.json we do not read. */
const ELSEWHERE = new Set(["--prefix", "-C", "--dir", "--cwd", "--workspace", "-w", "--workspaces", "-ws", "--filter", "-F", "--recursive", "-r"]);

/**
 * The script a command runs, as the package manager would look it up, or undefined when the
 * command is not a script call this check can be sure of (`yarn lint` may be a yarn command).
 */
export function scriptOf(argv: readonly string[]): string | undefined {
  const [program, ...rest] = argv;
  if (!program || !["npm", "pnpm", "yarn", "bun"].includes(program)) return undefined;
  const words: string[] = [];
  for (const arg of rest) {
    if (arg === "--") break;
    if (ELSEWHERE.has(arg.split("=")[0]!)) return undefined;
    if (!arg.startsWith("-")) words.push(arg);
  }
  const [command, name] = words;
  const runs = program === "npm" ? ["run", "run-script", "rum", "urn"] : ["run"];
  if (command !== undefined && runs.includes(command)) return name !== undefined && !(program === "bun" && /[./]/.test(name)) ? name : undefined;
  // `npm test` and `pnpm test` run the test script; `bun test` is bun's own test runner.
  if (program !== "bun" && (command === "test" || command === "t" || (program === "npm" && command === "tst"))) return "test";
  return undefined;
}

/** `packageJsonText` is the repository's package.json, or undefined when it has none. */
export function checkCommandScripts(commands: Readonly<Record<string, string | undefined>>, packageJsonText: string | undefined): CommandProblem[] {
  const problems: CommandProblem[] = [];
  let scripts: string[] | undefined;
  let unreadable: string | undefined;
  if (packageJsonText !== undefined) {
    try {
      const parsed = packageJson.safeParse(JSON.parse(packageJsonText));
      if (parsed.success) scripts = Object.keys(parsed.data.scripts ?? {});
      else unreadable = "its scripts are not a mapping of names to commands";
    } catch (error) {
      unreadable = `it is not valid JSON (${(error as Error).message})`;
    }
  }
  for (const [name, command] of Object.entries(commands)) {
    if (command === undefined) continue;
    let argv: string[];
    try {
      argv = splitCommand(command);
    } catch (error) {
      problems.push({ name, message: `${(error as Error).message}` });
      continue;
    }
    const script = scriptOf(argv);
    if (script === undefined) continue;
    const needs = `"${command}" runs the script "${script}"`;
    if (packageJsonText === undefined) problems.push({ name, message: `${needs}, and the repository has no package.json` });
    else if (unreadable) problems.push({ name, message: `${needs}, and package.json cannot be read: ${unreadable}` });
    else if (scripts && !scripts.includes(script)) {
      const guess = closest(script, scripts);
      const listed = scripts.length > 0 ? `its scripts are ${scripts.join(", ")}` : "it has no scripts";
      problems.push({ name, message: `${needs}, which package.json does not define${guess ? `; did you mean "${guess}"?` : ";"} ${listed}` });
    }
  }
  return problems;
}
