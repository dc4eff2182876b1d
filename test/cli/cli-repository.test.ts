import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../../src/cli/commands.js";
import { scriptOf } from "../../src/config/command-scripts.js";

const run = promisify(execFile);

async function capture(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await cli(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const CONFIG = "version: 1\nagent:\n  commands:\n    install: npm ci\n    test: npm test\n    lint: npm run lint\n";

/** A repository on disk: its configuration and, when given, its package.json. */
async function repository(root: string, name: string, config: string, manifest?: unknown): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(path.join(dir, ".github"), { recursive: true });
  await writeFile(path.join(dir, ".github", "ai-agent.yml"), config);
  if (manifest !== undefined) await writeFile(path.join(dir, "package.json"), typeof manifest === "string" ? manifest : JSON.stringify(manifest));
  return dir;
}

describe("ai-agent validate <repository>", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "ai-agent-cli-repo-"));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("flags a command whose script package.json does not define, at the command in the file", async () => {
    const dir = await repository(root, "no-lint", CONFIG, { scripts: { test: "vitest", lnit: "eslint ." } });
    const file = path.join(dir, ".github", "ai-agent.yml");
    expect(await capture(["validate", dir])).toEqual({
      code: 1,
      out: "",
      err: [
        `${file}:6:11 agent.commands.lint: "npm run lint" runs the script "lint", which package.json does not define; did you mean "lnit"? its scripts are test, lnit`,
        "",
        `1 problem in ${file}`,
      ].join("\n"),
    });
  });

  it("accepts the same file when the scripts are there, and when given the file alone", async () => {
    const dir = await repository(root, "with-lint", CONFIG, { scripts: { test: "vitest", lint: "eslint ." } });
    expect(await capture(["validate", dir])).toMatchObject({ code: 0, out: `${path.join(dir, ".github", "ai-agent.yml")}: valid` });
    const without = await repository(root, "file-only", CONFIG, { scripts: {} });
    expect((await capture(["validate", path.join(without, ".github", "ai-agent.yml")])).code).toBe(0);
  });

  it("says so when there is no package.json, or it cannot be read, or a command needs a shell", async () => {
    const none = await repository(root, "none", "version: 1\nagent:\n  commands:\n    build: npm run build\n");
    expect((await capture(["validate", none])).err).toContain('agent.commands.build: "npm run build" runs the script "build", and the repository has no package.json');
    const broken = await repository(root, "broken", CONFIG, "{ not json");
    expect((await capture(["validate", broken])).err).toMatch(/agent\.commands\.test: "npm test" runs the script "test", and package\.json cannot be read: it is not valid JSON/);
    const shell = await repository(root, "shell", "version: 1\nagent:\n  commands:\n    test: npm ci && npm test\n", { scripts: { test: "x" } });
    expect((await capture(["validate", shell])).err).toContain(`${path.join(shell, ".github", "ai-agent.yml")}:4:11 agent.commands.test: the command "npm ci && npm test" uses shell syntax (&)`);
  });

  it("checks the repository it runs in when given no path", async () => {
    const dir = await repository(root, "here", CONFIG, { scripts: { test: "vitest" } });
    const cliPath = new URL("../../src/cli.ts", import.meta.url).pathname;
    // tsx by its own address: the repository's folder has no node_modules to find it in.
    const tsx = new URL("../../node_modules/tsx/dist/esm/index.mjs", import.meta.url).href;
    const failed = await run(process.execPath, ["--import", tsx, cliPath, "validate"], { cwd: dir }).catch((error: { code: number; stderr: string }) => error);
    expect("code" in failed && failed.code).toBe(1);
    expect(failed.stderr).toContain('.github/ai-agent.yml:6:11 agent.commands.lint: "npm run lint" runs the script "lint", which package.json does not define; its scripts are test');
  });
});

describe("the script a command runs", () => {
  it.each([
    ["npm run lint", "lint"],
    ["npm run-script lint -- --fix", "lint"],
    ["npm --silent run lint", "lint"],
    ["npm test", "test"],
    ["npm t", "test"],
    ["pnpm run build", "build"],
    ["pnpm test", "test"],
    ["yarn run lint", "lint"],
    ["bun run lint", "lint"],
  ])("%s runs %s", (command, script) => {
    expect(scriptOf(command.split(" "))).toBe(script);
  });

  it.each(["npm ci", "npm start", "yarn lint", "bun test", "bun run ./scripts/x.ts", "npm --prefix web run lint", "pnpm --filter web build", "make lint", "npx eslint ."])(
    "%s is not a script this check can be sure of",
    (command) => {
      expect(scriptOf(command.split(" "))).toBeUndefined();
    },
  );
});
