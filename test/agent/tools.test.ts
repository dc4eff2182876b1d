import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { bubblewrap, reachableTempDir } from "../helpers/sandbox.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PathPolicy } from "../../src/workspace/paths.js";
import { ToolSet } from "../../src/agent/tools/index.js";
import type { CommandRecord } from "../../src/agent/tools/types.js";
import type { RunEventInput } from "../../src/agent/run-event-bounds.js";

describe("the agent's tools", () => {
  let root: string;
  let outside: string;
  const record: CommandRecord[] = [];
  let tools: ToolSet;
  const call = (name: string, input: unknown) => tools.execute(name, input);
  const edit = (input: Record<string, unknown>) => call("str_replace_based_edit_tool", input);

  beforeAll(async () => {
    root = await reachableTempDir("ai-agent-tools-");
    outside = await mkdtemp(path.join(tmpdir(), "ai-agent-outside-"));
    await writeFile(path.join(outside, "secret.txt"), "top secret");
    await mkdir(path.join(root, "src"), { recursive: true });
    await mkdir(path.join(root, ".github/workflows"), { recursive: true });
    await writeFile(path.join(root, "src/app.ts"), "export const greet = () => 'hi';\nexport const twice = 2;\nexport const twice2 = 2;\n");
    await writeFile(path.join(root, "README.md"), "# Demo\n");
    await writeFile(path.join(root, ".github/workflows/ci.yml"), "on: push\n");
    await writeFile(path.join(root, "package.json"), JSON.stringify({ scripts: { test: "node -e \"console.log('tests ran')\"" } }));
    await symlink(outside, path.join(root, "escape"));
    await symlink(path.join(outside, "secret.txt"), path.join(root, "src/link.txt"));
    execFileSync("git", ["init", "-q"], { cwd: root });
    await (await bubblewrap()).adopt(root);
    tools = new ToolSet({
      policy: new PathPolicy(root, { protectedPaths: [".github/workflows/**", "secrets/**"], allowProtected: false }),
      commands: { commands: { test: "node -e \"console.log('tests ran'); console.error(process.env.ANTHROPIC_API_KEY ?? 'no key')\"", lint: "node -e 'process.exit(3)'" }, sandbox: await bubblewrap(), workspace: root, timeoutMs: 10_000, record },
    });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it("views a file with line numbers, and a range", async () => {
    expect((await edit({ command: "view", path: "/repo/src/app.ts" })).content).toBe("     1\texport const greet = () => 'hi';\n     2\texport const twice = 2;\n     3\texport const twice2 = 2;\n     4\t");
    expect((await edit({ command: "view", path: "src/app.ts", view_range: [2, 2] })).content).toBe("     2\texport const twice = 2;");
    expect((await edit({ command: "view", path: "/repo" })).content).toContain("/repo/src/app.ts");
  });

  it("creates, replaces and inserts, accepting insert_text or new_str", async () => {
    expect(await edit({ command: "create", path: "/repo/src/new.ts", file_text: "a\nb\n" })).toMatchObject({ changed: "src/new.ts" });
    expect(await edit({ command: "str_replace", path: "src/new.ts", old_str: "a\n", new_str: "A\n" })).toMatchObject({ changed: "src/new.ts" });
    await edit({ command: "insert", path: "src/new.ts", insert_line: 0, insert_text: "first" });
    await edit({ command: "insert", path: "src/new.ts", insert_line: 1, new_str: "second" });
    expect(await readFile(path.join(root, "src/new.ts"), "utf8")).toBe("first\nsecond\nA\nb\n");
  });

  it("says when old_str is missing or not unique", async () => {
    expect(await edit({ command: "str_replace", path: "src/app.ts", old_str: "nope", new_str: "x" })).toMatchObject({ isError: true, content: expect.stringContaining("was not found") as string });
    const repeated = await edit({ command: "str_replace", path: "src/app.ts", old_str: "= 2;", new_str: "= 3;" });
    expect(repeated).toMatchObject({ isError: true });
    expect(repeated.content).toContain("occurs 2 times in /repo/src/app.ts (lines 2, 3)");
  });

  it.each([
    ["a .. path", "../outside.txt", /"\.\." is not allowed/],
    ["a nested .. path", "src/../../x", /"\.\." is not allowed/],
    ["an absolute path outside", "/etc/passwd", /outside the repository/],
    ["a symlinked directory leading out", "escape/secret.txt", /leads outside the repository/],
    ["a symlinked file leading out", "src/link.txt", /leads outside the repository/],
    ["the .git directory", ".git/config", /inside \.git/],
  ])("refuses %s for reading and writing", async (_name, target, message) => {
    const read = await edit({ command: "view", path: target });
    expect(read.isError).toBe(true);
    expect(read.content).toMatch(message);
    const write = await edit({ command: "create", path: target, file_text: "pwned" });
    expect(write.isError).toBe(true);
    expect(await readFile(path.join(outside, "secret.txt"), "utf8")).toBe("top secret");
  });

  it("refuses edits to workflows and protected paths, but lets them be read", async () => {
    expect((await edit({ command: "view", path: ".github/workflows/ci.yml" })).isError).toBeUndefined();
    for (const target of [".github/workflows/ci.yml", ".github/workflows/new.yml", "secrets/key.pem"]) {
      const result = await edit({ command: "create", path: target, file_text: "x" });
      expect(result.isError).toBe(true);
      expect(result.content).toContain("is a protected path");
    }
  });

  it("limits edits to the allowed paths of a docs workflow", async () => {
    const docs = new ToolSet({ policy: new PathPolicy(root, { protectedPaths: [], allowProtected: false, allowed: ["docs/**", "**/*.md"] }) });
    expect((await docs.execute("str_replace_based_edit_tool", { command: "create", path: "docs/guide.md", file_text: "# Guide\n" })).isError).toBeUndefined();
    const refused = await docs.execute("str_replace_based_edit_tool", { command: "str_replace", path: "src/app.ts", old_str: "'hi'", new_str: "'hello'" });
    expect(refused).toMatchObject({ isError: true });
    expect(refused.content).toContain("src/app.ts is outside the paths this workflow may edit");
  });

  it("finds files and searches contents, with bounded output", async () => {
    expect((await call("find_files", { pattern: "*.ts" })).content.split("\n")).toEqual(expect.arrayContaining(["/repo/src/app.ts", "/repo/src/new.ts"]));
    expect((await call("search", { pattern: "greet", include: "src/**" })).content).toBe("/repo/src/app.ts:1: export const greet = () => 'hi';");
    await writeFile(path.join(root, "many.txt"), Array.from({ length: 500 }, (_, i) => `needle ${i}`).join("\n"));
    const many = (await call("search", { pattern: "needle" })).content.split("\n");
    expect(many).toHaveLength(101);
    expect(many.at(-1)).toBe("… 400 more matches; narrow the pattern or use include");
  });

  it("runs only the configured commands, without the app's secrets, and records them", async () => {
    process.env.ANTHROPIC_API_KEY = "sk-ant-must-not-leak";
    try {
      const tested = await call("run", { command: "test" });
      expect(tested.content).toMatch(/exited with code 0/);
      expect(tested.content).toContain("tests ran");
      expect(tested.content).toContain("no key");
      expect(tested.content).not.toContain("sk-ant-must-not-leak");
    } finally {
      delete process.env.ANTHROPIC_API_KEY;
    }
    expect((await call("run", { command: "lint" })).content).toMatch(/exited with code 3/);
    const refused = await call("run", { command: "deploy" });
    expect(refused).toMatchObject({ isError: true });
    expect(refused.content).toContain("The allowed commands are: test, lint.");
    expect(record.map((r) => [r.name, r.exitCode])).toEqual([["test", 0], ["lint", 3]]);
  });

  it("ends with finish and its summary; unknown tools are errors", async () => {
    expect(await call("finish", { summary: "Renamed greet." })).toEqual({ content: "Done.", finished: { summary: "Renamed greet." } });
    expect(await call("bash", { command: "rm -rf /" })).toEqual({
      content: "there is no tool named bash; the tools are str_replace_based_edit_tool, find_files, search, run, finish",
      isError: true,
      schemaError: true,
    });
    // A finish without its summary is answered like any other input that breaks its schema.
    expect(await call("finish", {})).toEqual({ content: "invalid input for finish: summary: missing (expected string)", isError: true, schemaError: true });
  });

  it("tells the run's event log of every call: its tool, its input made short, what it gave, and the commands as commands", async () => {
    const events: RunEventInput[] = [];
    const logged = new ToolSet({
      policy: new PathPolicy(root, { protectedPaths: [".github/workflows/**"], allowProtected: false }),
      commands: { commands: { lint: "node -e 'process.exit(3)'" }, sandbox: await bubblewrap(), workspace: root, timeoutMs: 10_000, record: [] },
      events: { record: (event) => void events.push(event) },
    });
    await logged.execute("str_replace_based_edit_tool", { command: "view", path: "/repo/README.md", view_range: [1, 1] });
    await logged.execute("str_replace_based_edit_tool", { command: "create", path: "/repo/.github/workflows/x.yml", file_text: "on: push" });
    await logged.execute("find_files", { pattern: "src/*.ts" });
    await logged.execute("search", { pattern: "greet", include: "src/**" });
    await logged.execute("run", { command: "lint" });
    await logged.execute("run", { command: "deploy" });
    await logged.execute("finish", { summary: "done" });
    expect(events.map(({ kind, name, summary, exitCode }) => [kind, name, summary, exitCode])).toEqual([
      ["tool_call", "str_replace_based_edit_tool", "view /repo/README.md [1, 1]", null],
      ["tool_call", "str_replace_based_edit_tool", "create /repo/.github/workflows/x.yml", null],
      ["tool_call", "find_files", "src/*.ts", null],
      ["tool_call", "search", "greet in src/**", null],
      ["command", "lint", "node -e 'process.exit(3)'", 3],
      // A command the repository does not allow is a call the model got wrong, not a command run.
      ["tool_call", "run", '{"command":"deploy"}', null],
      ["tool_call", "finish", '{"summary":"done"}', null],
    ]);
    expect(events[0]!.output).toBe("     1\t# Demo");
    expect(events[1]!.output).toMatch(/protected/);
    expect(events.every((event) => typeof event.durationMs === "number" && event.durationMs >= 0)).toBe(true);
  });
});
