import { execFile, execFileSync } from "node:child_process";
import { chmod, cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";

/**
 * `npx @ai-agent-app/ai-agent validate` in someone's own repository: the package `npm pack` makes
 * (its `prepack` building lib/ from a copy of the sources) is unpacked, its bin linked and made
 * executable as npm does on install, and run through its shebang in a fresh git repository. The
 * registry cannot be reached here, so the package's dependencies are this project's node_modules;
 * a check below holds the built code to the `dependencies` the package declares.
 */

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const NAME = "@ai-agent-app/ai-agent";
/** What `npm pack` needs to build: the sources and the files the package ships. */
const SOURCES = ["package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", "README.md", "LICENSE", "app.yml", "src", "prompts", "schema"];

const packOutput = z.array(z.object({ name: z.string(), filename: z.string(), files: z.array(z.object({ path: z.string() })) }));
const manifest = z.object({
  name: z.string(),
  bin: z.record(z.string(), z.string()),
  dependencies: z.record(z.string(), z.string()),
  engines: z.object({ node: z.string() }),
  private: z.boolean().optional(),
});

describe("the npm package", () => {
  let dir: string;
  let files: string[];
  let unpacked: string;
  let bin: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ai-agent-pack-"));
    const copy = path.join(dir, "source");
    await mkdir(copy);
    for (const entry of SOURCES) await cp(path.join(ROOT, entry), path.join(copy, entry), { recursive: true });
    await symlink(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"));
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: copy, maxBuffer: 16 * 1024 * 1024 });
    const [packed] = packOutput.parse(JSON.parse(stdout));
    if (!packed) throw new Error("npm pack made no package");
    files = packed.files.map((file) => file.path);

    unpacked = path.join(dir, "unpacked");
    await mkdir(unpacked);
    execFileSync("tar", ["-xzf", path.join(dir, packed.filename), "-C", unpacked]);
    const pkg = path.join(unpacked, "package");
    await symlink(path.join(ROOT, "node_modules"), path.join(pkg, "node_modules"));
    const { bin: bins } = manifest.parse(JSON.parse(await readFile(path.join(pkg, "package.json"), "utf8")));
    // As npm links a package's bin on install (and npx before it runs one).
    const target = path.join(pkg, bins["ai-agent"] ?? "missing");
    await chmod(target, 0o755);
    bin = path.join(dir, "node_modules", ".bin", "ai-agent");
    await mkdir(path.dirname(bin), { recursive: true });
    await symlink(target, bin);
  }, 300_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A fresh repository of someone's, with this configuration. */
  async function repository(config: string): Promise<string> {
    const repo = await mkdtemp(path.join(dir, "repo-"));
    execFileSync("git", ["init", "-q", repo]);
    await mkdir(path.join(repo, ".github"));
    await writeFile(path.join(repo, ".github", "ai-agent.yml"), config);
    return repo;
  }

  async function ai(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(bin, args, { cwd, env: { PATH: process.env.PATH ?? "", HOME: cwd } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: unknown; stdout?: string; stderr?: string };
      return { code: typeof failed.code === "number" ? failed.code : -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
    }
  }

  it("is ours to publish, under one scoped name, and says so in the README", async () => {
    const pkg = manifest.parse(JSON.parse(await readFile(path.join(unpacked, "package", "package.json"), "utf8")));
    expect(pkg.name).toBe(NAME);
    expect(pkg.private).toBeUndefined();
    const readme = await readFile(path.join(ROOT, "README.md"), "utf8");
    expect(readme).toContain(`npx ${NAME} validate`);
    // The unscoped name is anyone's to take: no page people read tells them to run it.
    for (const page of ["README.md", "docs/configuration.md", ".github/ai-agent.yml"]) {
      expect(await readFile(path.join(ROOT, page), "utf8"), page).not.toMatch(/npx ai-agent\b/);
    }
  });

  it("ships the built code, the prompts, the schema, the manifest and the licence, and no sources or tests", () => {
    expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "app.yml", "lib/cli.js", "lib/main.js", "schema/ai-agent.schema.json", "prompts/task.liquid", "LICENSE"]));
    expect(files.filter((file) => /^(src|test|bench|scripts)\//.test(file) || file.endsWith(".map") || file.includes("tsbuildinfo"))).toEqual([]);
  });

  it("imports at run time only what it declares as dependencies", async () => {
    const pkg = manifest.parse(JSON.parse(await readFile(path.join(unpacked, "package", "package.json"), "utf8")));
    const lib = path.join(unpacked, "package", "lib");
    const entries = await readdir(lib, { recursive: true });
    const imported = new Set<string>();
    for (const entry of entries.filter((name) => name.endsWith(".js"))) {
      const code = await readFile(path.join(lib, entry), "utf8");
      for (const [, specifier = ""] of code.matchAll(/(?:from|import\()\s*"([^".][^"]*)"/g)) {
        const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : (specifier.split("/")[0] ?? "");
        if (!name.startsWith("node:") && !builtinModules.includes(name)) imported.add(name);
      }
    }
    expect(imported.size).toBeGreaterThan(5);
    expect([...imported].filter((name) => !(name in pkg.dependencies))).toEqual([]);
  });

  it("runs `validate` in a user's repository through the bin's shebang", async () => {
    const valid = await repository("version: 1\ntriggers:\n  implement_label: robot\n");
    expect(await ai(valid, "validate")).toEqual({ code: 0, stdout: ".github/ai-agent.yml: valid\n", stderr: "" });

    const invalid = await repository("version: 1\ntriggers:\n  implement_label: 42\n");
    const result = await ai(invalid, "validate");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(".github/ai-agent.yml:3:20 triggers.implement_label: expected a label name");
  });

  it("lists the workflows in effect, from its shipped built-ins", async () => {
    const repo = await repository("version: 1\n");
    const result = await ai(repo, "workflows");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("# implement: built in");
  });
});
