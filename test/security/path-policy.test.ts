import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { link, lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repositoryInstructions, repositoryMap } from "../../src/agent/context.js";
import { PathPolicy, PathRefused } from "../../src/workspace/paths.js";
import { EDITOR_TOOL_NAME } from "../../src/agent/tools/editor.js";
import { ToolSet } from "../../src/agent/tools/index.js";
import { searchFiles } from "../../src/agent/tools/search.js";
import { git } from "../helpers/git.js";

/**
 * Acceptance point 5 of "Sandboxed execution": reads follow the same policy as writes, writes hold
 * for every kind of link, protected paths are matched case-insensitively, and the model's search
 * regex cannot block the event loop. One test per attack, on real files.
 */

const SECRET = "TOP-SECRET-7f3a";
const rules = { protectedPaths: [], allowProtected: false };

describe("the path policy against links", () => {
  let root: string;
  let outside: string;
  let policy: PathPolicy;
  let tools: ToolSet;
  const edit = (input: Record<string, unknown>) => tools.execute(EDITOR_TOOL_NAME, input);
  const view = (target: string) => tools.execute("view", { path: target });

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "ai-agent-policy-"));
    outside = await mkdtemp(path.join(tmpdir(), "ai-agent-policy-outside-"));
    await writeFile(path.join(outside, "secret.txt"), `${SECRET}\n`);
    await mkdir(path.join(outside, "dir"));
    await writeFile(path.join(outside, "dir/inner.txt"), `${SECRET} inner\n`);
    await mkdir(path.join(root, "src"));
    await mkdir(path.join(root, ".github"));
    await writeFile(path.join(root, "src/app.ts"), "export const app = 1;\n");
    await writeFile(path.join(root, "README.md"), "# Demo\n");
    await writeFile(path.join(root, ".github/copilot-instructions.md"), "Use tabs.\n");
    await symlink(path.join(outside, "secret.txt"), path.join(root, "notes.txt"));
    await symlink("/proc/self/environ", path.join(root, "AGENTS.md"));
    await symlink(path.join("..", path.basename(outside), "secret.txt"), path.join(root, "CLAUDE.md"));
    await symlink(path.join(outside, "dir"), path.join(root, "link-dir"));
    await symlink(path.join(outside, "outside-new-file"), path.join(root, "dangling.txt"));
    await symlink(path.join(outside, "missing-dir"), path.join(root, "gone"));
    await symlink("README.md", path.join(root, "inside-link.md"));
    git(root, "init", "-q");
    policy = new PathPolicy(root, rules);
    tools = new ToolSet({ policy });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  const secretUnchanged = async () => expect(await readFile(path.join(outside, "secret.txt"), "utf8")).toBe(`${SECRET}\n`);

  it("refuses a write through a dangling link that points outside, and creates nothing there", async () => {
    const result = await edit({ command: "create", path: "dangling.txt", file_text: "pwned" });
    expect(result.isError).toBe(true);
    expect(result.content).toMatch(/leads outside the repository/);
    await expect(policy.writeFile("dangling.txt", "pwned")).rejects.toBeInstanceOf(PathRefused);
    expect(existsSync(path.join(outside, "outside-new-file"))).toBe(false);
  });

  it("refuses a write through a link to a file outside", async () => {
    for (const input of [
      { command: "create", path: "notes.txt", file_text: "pwned" },
      { command: "str_replace", path: "notes.txt", old_str: SECRET, new_str: "pwned" },
      { command: "insert", path: "/repo/notes.txt", insert_line: 0, insert_text: "pwned" },
    ]) {
      const result = await edit(input);
      expect(result.isError).toBe(true);
      expect(result.content).not.toContain(SECRET);
    }
    await secretUnchanged();
  });

  it("refuses a write through an intermediate linked directory, dangling or leading out", async () => {
    for (const target of ["link-dir/new.txt", "link-dir/inner.txt", "gone/x.txt", "gone/deeper/x.txt"]) {
      const result = await edit({ command: "create", path: target, file_text: "pwned" });
      expect(result.isError, target).toBe(true);
    }
    expect(existsSync(path.join(outside, "dir/new.txt"))).toBe(false);
    expect(existsSync(path.join(outside, "missing-dir"))).toBe(false);
    expect(await readFile(path.join(outside, "dir/inner.txt"), "utf8")).toBe(`${SECRET} inner\n`);
  });

  it("refuses a write to a link even inside the workspace, and names the file to edit instead", async () => {
    expect((await view("inside-link.md")).content).toContain("# Demo");
    const result = await edit({ command: "create", path: "inside-link.md", file_text: "x" });
    expect(result).toMatchObject({ isError: true, content: expect.stringContaining("edit /repo/README.md instead") as string });
    expect(await readFile(path.join(root, "README.md"), "utf8")).toBe("# Demo\n");
  });

  it("refuses a write through a hard link to a file outside", async () => {
    await link(path.join(outside, "secret.txt"), path.join(root, "hard.txt"));
    try {
      const result = await edit({ command: "str_replace", path: "hard.txt", old_str: SECRET, new_str: "pwned" });
      expect(result).toMatchObject({ isError: true, content: expect.stringContaining("hard links") as string });
      await secretUnchanged();
    } finally {
      await rm(path.join(root, "hard.txt"));
    }
  });

  it("view never reads through a link that leads out, for files and directories", async () => {
    for (const target of ["notes.txt", "AGENTS.md", "CLAUDE.md", "link-dir", "link-dir/inner.txt", "/repo/link-dir/", "dangling.txt"]) {
      const result = await view(target);
      expect(result.isError, target).toBe(true);
      expect(result.content).not.toContain(SECRET);
      expect(result.content).not.toContain("PATH=");
    }
    const listing = (await view("/repo")).content;
    expect(listing).toContain("/repo/README.md");
    expect(listing).toContain("/repo/inside-link.md");
    for (const name of ["notes.txt", "AGENTS.md", "CLAUDE.md", "link-dir", "dangling.txt", "gone"]) expect(listing).not.toContain(`/repo/${name}`);
  });

  it("search and find_files leave out links that lead out or nowhere", async () => {
    const found = (await tools.execute("find_files", { pattern: "**" })).content.split("\n");
    expect(found).toEqual(expect.arrayContaining(["/repo/README.md", "/repo/src/app.ts", "/repo/inside-link.md", "/repo/.github/copilot-instructions.md"]));
    for (const name of ["notes.txt", "AGENTS.md", "CLAUDE.md", "link-dir", "dangling.txt", "gone"]) expect(found).not.toContain(`/repo/${name}`);
    for (const pattern of ["SECRET", "7f3a", "PATH", "."]) {
      const searched = await tools.execute("search", { pattern });
      expect(searched.content).not.toContain(SECRET);
      expect(searched.content).not.toContain("PATH=");
    }
    // A link inside the workspace is searched, under its own name.
    expect((await tools.execute("search", { pattern: "# Demo" })).content.split("\n").sort()).toEqual(["/repo/README.md:1: # Demo", "/repo/inside-link.md:1: # Demo"]);
  });

  it("the instructions loader and the repository map skip links that lead out", async () => {
    expect(await repositoryInstructions(policy)).toEqual([{ file: ".github/copilot-instructions.md", text: "Use tabs." }]);
    const map = await repositoryMap(policy);
    expect(map).toContain("README.md");
    for (const name of ["notes.txt", "AGENTS.md", "CLAUDE.md", "link-dir", "dangling.txt"]) expect(map).not.toContain(name);
    expect(map).not.toContain(SECRET);
  });

  it("does not hang on a FIFO in the worktree", async () => {
    execFileSync("mkfifo", [path.join(root, "pipe")]);
    try {
      expect(await view("pipe")).toMatchObject({ isError: true, content: expect.stringContaining("not a regular file") as string });
      expect((await edit({ command: "create", path: "pipe", file_text: "x" })).isError).toBe(true);
      expect((await tools.execute("search", { pattern: "x" })).isError).toBeUndefined();
    } finally {
      await rm(path.join(root, "pipe"));
    }
  });

  it("refuses .git as any segment, however cased", async () => {
    for (const target of [".git", ".git/config", ".GIT/config", "/repo/.Git/HEAD", "sub/.git/hooks/pre-commit"]) {
      expect((await edit({ command: "create", path: target, file_text: "x" })).content, target).toMatch(/inside \.git/);
      expect((await view(target)).content, target).toMatch(/inside \.git/);
      expect(policy.mayWrite(target)).toBe(false);
    }
  });
});

describe("protected paths", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "ai-agent-protected-"));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const targets = [".GITHUB/workflows/ci.yml", ".GitHub/Workflows/x.yml", ".github/CODEOWNERS", ".github/ai-agent.yml", ".github/actions/setup/action.yml", ".husky/pre-commit", ".githooks/pre-push", ".Husky/_/h"];

  it("are refused by default, matched case-insensitively, with the configured ones", async () => {
    const policy = new PathPolicy(root, { protectedPaths: ["secrets/**"], allowProtected: false });
    const tools = new ToolSet({ policy });
    for (const target of [...targets, "SECRETS/key.pem"]) {
      const result = await tools.execute(EDITOR_TOOL_NAME, { command: "create", path: target, file_text: "x" });
      expect(result, target).toMatchObject({ isError: true, content: expect.stringContaining("is a protected path") as string });
      expect(policy.mayWrite(target), target).toBe(false);
      expect(existsSync(path.join(root, target))).toBe(false);
    }
    expect(policy.mayWrite("src/app.ts")).toBe(true);
    expect(policy.mayWrite(".github-not/x")).toBe(true);
    expect(policy.protectedGlobs).toEqual([".github/**", ".husky/**", ".githooks/**", "secrets/**"]);
  });

  it("are protected through a link inside the workspace too", async () => {
    await mkdir(path.join(root, ".github"), { recursive: true });
    await symlink(".github", path.join(root, "ci-link"));
    const policy = new PathPolicy(root, rules);
    expect(() => policy.forWrite("ci-link/workflows/x.yml")).toThrow(/\.github\/workflows\/x\.yml is a protected path/);
  });

  it("are allowed with allowProtected", async () => {
    const policy = new PathPolicy(root, { protectedPaths: ["secrets/**"], allowProtected: true });
    const tools = new ToolSet({ policy });
    for (const target of [...targets, "secrets/key.pem"]) {
      expect(await tools.execute(EDITOR_TOOL_NAME, { command: "create", path: target, file_text: "x" }), target).toMatchObject({ changed: target });
      expect(policy.mayWrite(target)).toBe(true);
    }
    expect(policy.protectedGlobs).toEqual([]);
  });
});

describe("the owner of what the editor writes", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "ai-agent-owner-"));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it.skipIf(process.getuid?.() !== 0)("is given to the configured uid, for files and the directories made for them", async () => {
    await writeFile(path.join(root, "existing.txt"), "a\n");
    const policy = new PathPolicy(root, { ...rules, owner: { uid: 12345, gid: 23456 } });
    const tools = new ToolSet({ policy });
    await tools.execute(EDITOR_TOOL_NAME, { command: "create", path: "new/deep/file.txt", file_text: "x" });
    await tools.execute(EDITOR_TOOL_NAME, { command: "str_replace", path: "existing.txt", old_str: "a", new_str: "b" });
    for (const made of ["new", "new/deep", "new/deep/file.txt", "existing.txt"]) {
      expect(await lstat(path.join(root, made)), made).toMatchObject({ uid: 12345, gid: 23456 });
    }
    expect(await readFile(path.join(root, "existing.txt"), "utf8")).toBe("b\n");
  });
});

describe("a catastrophic search pattern", () => {
  let root: string;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "ai-agent-redos-"));
    await writeFile(path.join(root, "input.txt"), `${"a".repeat(40)}!\n`);
    git(root, "init", "-q");
    server = createServer((_request, response) => response.end("ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(root, { recursive: true, force: true });
  });

  it("is stopped at its deadline while the event loop keeps serving", async () => {
    const policy = new PathPolicy(root, rules);
    const deadlineMs = 1500;
    let ticks = 0;
    const interval = setInterval(() => ticks++, 20);
    const started = Date.now();
    let settled = false;
    const search = searchFiles({ pattern: "(a+)+$" }, policy, { deadlineMs }).finally(() => {
      settled = true;
    });
    search.catch(() => {}); // inspected below
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const response = await fetch(url);
      expect(await response.text()).toBe("ok");
      expect(settled).toBe(false); // the server answered while the search was still running
      await expect(search).rejects.toThrow("the search took longer than 1s 500ms and was stopped; use a simpler pattern or include");
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(deadlineMs - 50);
      expect(elapsed).toBeLessThan(deadlineMs + 1500);
      expect(ticks).toBeGreaterThan(20);
    } finally {
      clearInterval(interval);
    }
  });

  it("a simple pattern over the same file still answers through the tool set", async () => {
    const tools = new ToolSet({ policy: new PathPolicy(root, rules) });
    expect(await tools.execute("search", { pattern: "a+!" })).toEqual({ content: `/repo/input.txt:1: ${"a".repeat(40)}!` });
  });
});
