import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCommand } from "../../src/agent/tools/run-command.js";
import type { CommandRecord } from "../../src/agent/tools/types.js";
import { failureExcerpt } from "../../src/core/command-output.js";
import { sandboxedWorkspace } from "../helpers/sandbox-workspace.js";

/**
 * A failed command's message keeps the line that says why, not only its last lines: real npm, in
 * the real sandbox, on a repository whose package.json has no lint script.
 */
describe("a failing command's message", () => {
  const shell = sandboxedWorkspace("ai-agent-output-", {
    "package.json": JSON.stringify({ name: "widgets", version: "1.0.0", scripts: { test: "node -e 0", build: "node -e 0" } }),
    // Names its reason on the first line, then 30 lines of noise, as many build tools do.
    "noisy.js": "console.error('error TS2304: Cannot find name \"widget\".'); for (let i = 1; i <= 30; i++) console.error(`  at step ${i}`); process.exit(2);",
  });

  it("keeps npm's Missing script line, which comes before its advice", async () => {
    const failure = await shell.shellRun({ run: ["npm", "run", "lint"] }).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/^`npm run lint` exited with code 1:\n/);
    expect(failure).toContain('Missing script: "lint"');
    // And still the end, as before.
    expect(failure?.split("\n").at(-1)).toMatch(/npm (error|ERR!) /);
  });

  it("keeps the error line of a long output, marks the gap, and ends with the last lines", async () => {
    const failure = await shell.shellRun({ run: ["node", "noisy.js"] }).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(failure).toBe(["`node noisy.js` exited with code 2:", 'error TS2304: Cannot find name "widget".', "…", ...[26, 27, 28, 29, 30].map((i) => `  at step ${i}`)].join("\n"));
  });

  it("gives the agent the error lines of output it cuts", async () => {
    await writeFile(path.join(shell.workspace, "long.js"), "console.log('FAIL src/widget.test.ts'); console.log('x'.repeat(40000)); process.exit(1);");
    const record: CommandRecord[] = [];
    const outcome = await runCommand({ command: "test" }, { commands: { test: "node long.js" }, sandbox: shell.sandbox, workspace: shell.workspace, timeoutMs: 30_000, record });
    expect(outcome.content).toContain("(earlier output cut; its error lines:)\nFAIL src/widget.test.ts\n…\n");
    expect(outcome.content.length).toBeLessThan(17_000);
  });

  it("quotes the end alone when nothing before it looks like an error", () => {
    expect(failureExcerpt("", "one\ntwo\n")).toBe("one\ntwo");
    expect(failureExcerpt("", Array.from({ length: 9 }, (_, i) => `line ${i}`).join("\n"))).toBe(["…", "line 4", "line 5", "line 6", "line 7", "line 8"].join("\n"));
    expect(failureExcerpt("error: in stdout\n", "the end\n")).toBe("error: in stdout\n…\nthe end");
    expect(failureExcerpt("", "")).toBe("");
  });
});
