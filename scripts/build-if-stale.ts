/**
 * `npm start`'s prestart: compiles lib/ only when what it is compiled from has changed since the
 * last build, so a second start takes the app's start-up time and not the compiler's (a full
 * `tsc` takes ten seconds; TypeScript's own incremental build still four to find nothing to do).
 *
 * What it is compiled from: every file under src/, the tsconfig files, package.json (its "type"
 * decides the module format) and the TypeScript version. Their contents are hashed, not their
 * times, so a checkout that touches files without changing them, or goes back to a built commit,
 * builds only when the text differs. The hash of the last good build is kept in lib/, so an
 * absent or deleted lib/ always builds.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const STAMP = path.join(root, "lib", ".build-inputs.sha256");
const ENTRY = path.join(root, "lib", "main.js");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** The hash of everything the build reads from this repository. */
function buildInputsHash(): string {
  const files = [
    ...filesUnder(path.join(root, "src")),
    ...["tsconfig.json", "tsconfig.build.json", "package.json", "node_modules/typescript/package.json"].map((f) => path.join(root, f)),
  ];
  const hash = createHash("sha256");
  for (const file of files.map((f) => path.relative(root, f)).sort()) {
    hash.update(`${file}\0`);
    hash.update(existsSync(path.join(root, file)) ? readFileSync(path.join(root, file)) : "(missing)");
    hash.update("\0");
  }
  return hash.digest("hex");
}

function main(): void {
  const inputs = buildInputsHash();
  const built = existsSync(STAMP) ? readFileSync(STAMP, "utf8").trim() : undefined;
  if (built === inputs && existsSync(ENTRY)) {
    process.stdout.write("lib/ is up to date with src/: not rebuilding\n");
    return;
  }
  // `npm run build`, so the build command is written once (package.json); npm_execpath is the npm
  // that runs this script.
  const npm = process.env.npm_execpath;
  const result = npm
    ? spawnSync(process.execPath, [npm, "run", "build"], { cwd: root, stdio: "inherit" })
    : spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit", shell: process.platform === "win32" });
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(STAMP, `${inputs}\n`);
}

main();
