import { eventually } from "../helpers/app-server.js";
import { execFileSync } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runBash } from "../../src/agent/tools/bash.js";
import type { CommandRecord } from "../../src/agent/tools/types.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { ShellSession } from "../../src/sandbox/shell-session.js";
import { bubblewrap, reachableTempDir } from "../helpers/sandbox.js";

/** The agent's persistent bash, in the real sandbox. */

let root: string;
let workspace: string;
let sandbox: Sandbox;
let shell: ShellSession;
const limits = { timeoutMs: 10_000, maxOutputBytes: 30_000 };

beforeAll(async () => {
  root = await reachableTempDir("ai-agent-shell-session-");
  workspace = path.join(root, "ws");
  await mkdir(path.join(workspace, "sub"), { recursive: true });
  sandbox = await bubblewrap();
  await sandbox.adopt(workspace);
});
afterEach(() => shell?.dispose());
afterAll(() => rm(root, { recursive: true, force: true }));

const running = (pattern: string) => {
  try {
    return execFileSync("pgrep", ["-f", pattern], { encoding: "utf8" }).trim();
  } catch {
    return "";
  }
};

describe("the agent's shell", () => {
  it("keeps the directory, variables and functions from one command to the next", async () => {
    shell = new ShellSession(sandbox, { workspace });
    expect(await shell.run("cd sub && export A=1; B=2; greet() { echo hi $1; }", limits)).toMatchObject({ exitCode: 0, output: "" });
    expect((await shell.run('pwd; echo "$A $B"; greet you', limits)).output).toBe("/repo/sub\n1 2\nhi you\n");
    expect((await shell.run("false", limits)).exitCode).toBe(1);
  });

  it("survives commands that read stdin, contain here-documents or are not valid shell", async () => {
    shell = new ShellSession(sandbox, { workspace });
    expect(await shell.run("cat", limits)).toMatchObject({ exitCode: 0, timedOut: false });
    const heredoc = await shell.run("cat <<'EOF'\nline one\nEOF\necho after", limits);
    expect(heredoc.output).toBe("line one\nafter\n");
    const broken = await shell.run('echo "unterminated', limits);
    expect(broken.exitCode).not.toBe(0);
    expect(broken.output).toMatch(/unexpected EOF|syntax error/);
    expect((await shell.run("echo still here", limits)).output).toBe("still here\n");
  });

  it("restarts on request, and after a timeout, ending everything the old shell started", async () => {
    shell = new ShellSession(sandbox, { workspace });
    await shell.run("cd sub; sleep 777 &", limits);
    // The background job may take a moment to be exec'd on a busy machine.
    await eventually(() => Promise.resolve(running("sleep 777") || undefined));
    const started = Date.now();
    const slow = await shell.run("sleep 600", { ...limits, timeoutMs: 1_000 });
    expect(slow).toMatchObject({ timedOut: true, ended: true, exitCode: null });
    expect(Date.now() - started).toBeLessThan(5_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(running("sleep 777")).toBe("");
    expect((await shell.run("pwd", limits)).output).toBe("/repo\n");
    await shell.run("cd sub", limits);
    shell.dispose();
    expect((await shell.run("pwd", limits)).output).toBe("/repo\n");
  });

  it("reports a shell that exits, and starts a new one", async () => {
    shell = new ShellSession(sandbox, { workspace });
    expect(await shell.run("exit 3", limits)).toMatchObject({ exitCode: 3, ended: true });
    expect((await shell.run("echo again", limits)).output).toBe("again\n");
  });

  it("keeps the end of a long output", async () => {
    shell = new ShellSession(sandbox, { workspace });
    const result = await shell.run("seq 1 100000; echo END", limits);
    expect(result.output.length).toBeLessThan(31_000);
    expect(result.output).toMatch(/^… \(\d+ bytes of earlier output cut\)\n/);
    expect(result.output.endsWith("100000\nEND\n")).toBe(true);
  });

  it("as the bash tool: restart, bad input, and every command recorded", async () => {
    shell = new ShellSession(sandbox, { workspace });
    const record: CommandRecord[] = [];
    const options = { shell, timeoutMs: 10_000, record };
    expect((await runBash({ command: "echo hi" }, options)).content).toBe("hi");
    expect((await runBash({ command: "ls /nope" }, options)).content).toMatch(/No such file or directory\nExit code 2\./);
    expect((await runBash({ restart: true }, options)).content).toMatch(/restarted/);
    await expect(runBash({ cmd: "ls" }, options)).rejects.toThrow(/takes \{"command"/);
    expect(record.map((r) => [r.name, r.command, r.exitCode])).toEqual([
      ["bash", "echo hi", 0],
      ["bash", "ls /nope", 2],
    ]);
  });
});
