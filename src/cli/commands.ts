import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { LineCounter, parseDocument, stringify } from "yaml";
import { checkCommandScripts } from "../config/command-scripts.js";
import { type ConfigProblem, REPO_CONFIG_PATH } from "../config/repo-config.js";
import { parseRepoConfig } from "../workflow/repo-config.js";
import { valueOffset } from "../config/yaml-positions.js";
import { BUILT_IN_WORKFLOW_NAMES, effectiveWorkflows } from "../workflow/built-in.js";
import { runLocally } from "./run.js";

/**
 * `ai-agent validate [path]` and `ai-agent workflows [path]`: the checks the app makes when a
 * trigger reads `.github/ai-agent.yml`, run locally or in CI before the file is pushed.
 */

const USAGE = `Usage: ai-agent <command> [path]

Commands:
  validate [path]   Check a configuration file, or a repository (a directory: its ${REPO_CONFIG_PATH},
                    and that agent.commands name scripts its package.json has); prints
                    file:line:column message per problem. Without path, the repository here.
  workflows [path]  Print the workflows in effect: the built-in ones with the file's replacing them.
  run --repo <path> --issue-file <file.md> [--number N] [--workflow implement]
                    Run a workflow on a local repository without GitHub (needs ANTHROPIC_API_KEY);
                    leaves a branch with the agent's commits in the repository.

path defaults to ${REPO_CONFIG_PATH}. Exit status: 0 valid (or the run succeeded), 1 problems found (or the run
failed), 2 usage or read error.`;

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export async function cli(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: "boolean", short: "h" },
        repo: { type: "string" },
        "issue-file": { type: "string" },
        number: { type: "string" },
        workflow: { type: "string" },
      },
    });
  } catch (error) {
    io.err(`ai-agent: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, first = REPO_CONFIG_PATH, ...extra] = parsed.positionals;
  let file = first;
  if (parsed.values.help || command === "help") {
    io.out(USAGE);
    return 0;
  }
  if (command === "run") {
    const { repo, "issue-file": issueFile, number = "1", workflow = "implement" } = parsed.values;
    if (!repo || !issueFile || !/^\d+$/.test(number) || parsed.positionals.length > 1) {
      io.err(`ai-agent: run needs --repo <path> and --issue-file <file.md> (and --number as a whole number)\n\n${USAGE}`);
      return 2;
    }
    return runLocally({ repo, issueFile, number: Number(number), workflow, env: process.env, out: io.out, err: io.err });
  }
  if ((command !== "validate" && command !== "workflows") || extra.length > 0) {
    io.err(command === undefined ? USAGE : `ai-agent: unknown command or extra arguments: ${parsed.positionals.join(" ")}\n\n${USAGE}`);
    return 2;
  }

  // `validate <directory>` (or no path): the repository is at hand, so its commands are checked too.
  let repository: string | undefined;
  if (command === "validate") {
    const given = parsed.positionals[1];
    if (given === undefined || (await stat(given).catch(() => undefined))?.isDirectory()) repository = given ?? ".";
  }
  if (repository !== undefined) file = path.join(repository, REPO_CONFIG_PATH);

  let text: string | undefined;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!(command === "workflows" && code === "ENOENT")) {
      io.err(`ai-agent: cannot read ${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (error as Error).message}`);
      return 2;
    }
  }

  const result = text === undefined ? undefined : parseRepoConfig(text, file);
  if (result && !result.ok) {
    for (const problem of result.problems) io.err(formatProblem(problem));
    io.err(`\n${result.problems.length} problem${result.problems.length === 1 ? "" : "s"} in ${file}`);
    return 1;
  }
  const written = result?.config.workflows ?? {};
  if (command === "validate") {
    const missing = result && text !== undefined && repository !== undefined ? await commandProblems(text, file, result.config.agent.commands, repository) : [];
    if (missing.length > 0) {
      for (const problem of missing) io.err(formatProblem(problem));
      io.err(`\n${missing.length} problem${missing.length === 1 ? "" : "s"} in ${file}`);
      return 1;
    }
    const own = Object.keys(written);
    io.out(`${file}: valid${own.length > 0 ? ` (workflows: ${own.join(", ")})` : ""}`);
    return 0;
  }

  const effective = effectiveWorkflows(written);
  const sections = Object.entries(effective).map(([name, workflow]) => {
    const origin = name in written ? `from ${file}` : "built in";
    const replaces = name in written && (BUILT_IN_WORKFLOW_NAMES as readonly string[]).includes(name) ? ", replacing the built-in one" : "";
    return `# ${name}: ${origin}${replaces}\n${stringify({ [name]: withoutEmpty(workflow) }, { lineWidth: 0 })}`;
  });
  if (text === undefined) io.err(`ai-agent: ${file} does not exist; showing the built-in workflows`);
  io.out(sections.join("\n").trimEnd());
  return 0;
}

/** Leaves out empty lists and mappings (no prerequisites, no post steps) so a workflow reads as written. */
function withoutEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmpty);
  if (value === null || typeof value !== "object") return value;
  const kept = Object.entries(value)
    .map(([key, inner]) => [key, withoutEmpty(inner)] as const)
    .filter(([, inner]) => !(Array.isArray(inner) && inner.length === 0) && !(inner !== null && typeof inner === "object" && Object.keys(inner).length === 0));
  return Object.fromEntries(kept);
}

/** `agent.commands` that the repository's package.json cannot run, each at its value in the file. */
async function commandProblems(text: string, file: string, commands: Record<string, string | undefined>, repository: string): Promise<ConfigProblem[]> {
  const manifestFile = path.join(repository, "package.json");
  let manifest: string | undefined;
  try {
    manifest = await readFile(manifestFile, "utf8");
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code !== "ENOENT") return [{ file: manifestFile, line: 1, column: 1, message: `cannot read it: ${code === "EISDIR" ? "it is a directory" : message}` }];
  }
  const problems = checkCommandScripts(commands, manifest);
  if (problems.length === 0) return [];
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return problems.map(({ name, message }) => {
    const { line, col } = lineCounter.linePos(valueOffset(doc, ["agent", "commands", name]));
    return { file, line, column: col, message: `agent.commands.${name}: ${message}` };
  });
}

function formatProblem(problem: ConfigProblem): string {
  return `${problem.file}:${problem.line}:${problem.column} ${problem.message}`;
}
