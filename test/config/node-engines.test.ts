import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import semver from "semver";
import { describe, expect, it } from "vitest";
import { z } from "zod";

/**
 * The Node.js versions the project says it runs on are the ones its whole dependency tree accepts:
 * `npm ci` warns of no engine (EBADENGINE) on this Node, every package in the lock file accepts
 * the lowest version of each line `engines` allows, and the README states that same range.
 */

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const manifest = z.object({ engines: z.object({ node: z.string() }) });
const lockFile = z.object({
  packages: z.record(z.string(), z.object({ version: z.string().optional(), engines: z.union([z.record(z.string(), z.string()), z.array(z.string())]).optional() })),
});

const engines = async () => manifest.parse(JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8"))).engines.node;

describe("the Node.js requirement", () => {
  it("gives no engine warning from `npm ci` on this Node", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "ai-agent-engines-"));
    try {
      for (const file of ["package.json", "package-lock.json"]) await copyFile(path.join(ROOT, file), path.join(dir, file));
      // --dry-run reads the whole lock file and checks every package's engines, installing nothing.
      const { stdout, stderr } = await run("npm", ["ci", "--dry-run", "--offline", "--no-audit", "--no-fund"], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
      expect(`${stdout}\n${stderr}`).toMatch(/added \d+ packages/);
      expect(`${stdout}\n${stderr}`.split("\n").filter((line) => line.includes("EBADENGINE"))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("is accepted by every package in the lock file at the lowest version of each line it allows", async () => {
    const range = await engines();
    const lowest = range.split("||").map((part) => semver.minVersion(part.trim())?.version);
    expect(lowest.every((version) => version !== undefined)).toBe(true);
    expect(semver.satisfies(process.version, range)).toBe(true);
    const { packages } = lockFile.parse(JSON.parse(await readFile(path.join(ROOT, "package-lock.json"), "utf8")));
    const refusals: string[] = [];
    for (const [where, entry] of Object.entries(packages)) {
      const node = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (where === "" || node === undefined) continue;
      for (const version of lowest) {
        if (version && !semver.satisfies(version, node)) refusals.push(`${where}@${entry.version ?? "?"} needs node ${node}, not ${version}`);
      }
    }
    expect(refusals).toEqual([]);
  });

  it("is stated in the README as package.json states it", async () => {
    const readme = await readFile(path.join(ROOT, "README.md"), "utf8");
    expect(readme).toContain(`Node.js \`${await engines()}\``);
  });
});
