import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/**
 * `npm start` builds lib/ before it starts, and only when it has to. Run on a copy of the
 * repository's build inputs (src/, the tsconfig files, package.json and its scripts, the build
 * script), so the checkout's own lib/ is never touched.
 */
describe("npm start's prestart builds lib/ when it is missing or stale, and only then", () => {
  let dir: string;
  const prestart = () => run("npm", ["run", "--silent", "prestart"], { cwd: dir, env: { ...process.env, npm_config_update_notifier: "false" } });
  const mtime = async (file: string) => (await stat(path.join(dir, file))).mtimeMs;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ai-agent-build-"));
    for (const entry of ["src", "scripts", "package.json", "tsconfig.json", "tsconfig.build.json"]) {
      await cp(path.join(repoRoot, entry), path.join(dir, entry), { recursive: true });
    }
    await symlink(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("builds when lib/ is missing", { timeout: 120_000 }, async () => {
    await prestart();
    expect((await stat(path.join(dir, "lib", "main.js"))).isFile()).toBe(true);
  });

  it("does not recompile when lib/ is up to date", { timeout: 60_000 }, async () => {
    const before = await mtime("lib/main.js");
    const started = Date.now();
    const { stdout } = await prestart();
    expect(stdout).toContain("lib/ is up to date");
    expect(await mtime("lib/main.js")).toBe(before);
    // A recompile takes ten seconds here; the check, well under a few.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("rebuilds when a source file's text changes", { timeout: 120_000 }, async () => {
    const source = path.join(dir, "src", "web", "health.ts");
    await writeFile(source, `${await readFile(source, "utf8")}\nexport const BUILD_MARKER = "changed";\n`);
    const { stdout } = await prestart();
    expect(stdout).not.toContain("lib/ is up to date");
    expect(await readFile(path.join(dir, "lib", "web", "health.js"), "utf8")).toContain("BUILD_MARKER");
  });

  it("rebuilds when the compiler settings change", { timeout: 120_000 }, async () => {
    const before = await mtime("lib/main.js");
    const tsconfig = path.join(dir, "tsconfig.build.json");
    await writeFile(tsconfig, (await readFile(tsconfig, "utf8")).replace('"outDir": "lib"', '"outDir": "lib", "removeComments": true'));
    await prestart();
    expect(await mtime("lib/main.js")).toBeGreaterThan(before);
  });
});
