/**
 * Workspace set-up time on a repository of 20,000 files and 2,000 commits: the first run (bare
 * partial clone + worktree, whose checkout fetches the tree's blobs) against a later run on the same
 * repository (fetch + worktree). Run with `npm run bench:workspace`. The repository is generated
 * each run with `git fast-import` into a temp dir and served from there over file://.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { WorkspaceManager } from "../src/workspace/workspace.js";

const COMMITS = 2_000;
const NEW_FILES_PER_COMMIT = 10; // 20,000 files in the final tree
const EDITS_PER_COMMIT = 2; // earlier files changed again, so history has more blobs than the tree
// Creating 20,000 files dominates both runs, and its cost swings widely on a shared disk (ext4 slows
// inode allocation for a while after mass deletions, which each round makes); the median steadies it.
const ROUNDS = 3;

const run = promisify(execFile);
const env = (home: string) => ({ PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" });

const filePath = (n: number) => `src/pkg${n % 20}/mod${Math.floor(n / 20) % 25}/part${Math.floor(n / 500) % 4}/file${n}.ts`;
const fileContent = (n: number, commit: number) =>
  `// file ${n}, last changed in commit ${commit}\nexport const value${n} = ${commit};\n` +
  `export function f${n}(x: number): number {\n  return x * ${n} + ${commit};\n}\n`;

/** The fast-import stream: one commit on main per iteration, each adding and changing a few files. */
function stream(): Buffer {
  const parts: string[] = [];
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  let next = 0;
  for (let c = 1; c <= COMMITS; c++) {
    parts.push(`commit refs/heads/main\nmark :${c}\ncommitter Bench <bench@example.com> ${1_700_000_000 + c * 60} +0000\n`);
    parts.push(data(`Commit ${c}\n`));
    if (c > 1) parts.push(`from :${c - 1}\n`);
    for (let i = 0; i < EDITS_PER_COMMIT && next > 0; i++) {
      const n = (c * 7919 + i * 104_729) % next;
      parts.push(`M 100644 inline ${filePath(n)}\n${data(fileContent(n, c))}`);
    }
    for (let i = 0; i < NEW_FILES_PER_COMMIT; i++, next++) {
      parts.push(`M 100644 inline ${filePath(next)}\n${data(fileContent(next, c))}`);
    }
  }
  return Buffer.from(parts.join(""));
}

async function generate(remote: string, home: string): Promise<void> {
  await run("git", ["init", "--quiet", "--bare", "-b", "main", remote], { env: env(home) });
  await new Promise<void>((resolve, reject) => {
    const child = spawn("git", ["fast-import", "--quiet"], { cwd: remote, env: env(home), stdio: ["pipe", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import exited with ${code}`))));
    child.stdin.end(stream());
  });
  // Packed as a hosting server would keep it, with a bitmap for filtered clones.
  await run("git", ["repack", "-a", "-d", "-q", "--write-bitmap-index"], { cwd: remote, env: env(home) });
  await run("git", ["config", "uploadpack.allowFilter", "true"], { cwd: remote, env: env(home) });
}

async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && !(e.parentPath === dir && e.name === ".git")).length;
}

const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const result = await fn();
  return [result, performance.now() - started];
};

interface Round {
  firstMs: number;
  secondMs: number;
  disposeMs: number;
  files: number;
}

/** One round on a fresh cache: first run, second run, then both disposed. */
async function round(remote: string, cacheDir: string): Promise<Round> {
  const manager = new WorkspaceManager({ cacheDir });
  const prepare = (n: number) =>
    manager.prepare({ repo: "bench/big", remoteUrl: pathToFileURL(remote).href, baseBranch: "main", branch: `ai/${n}-bench`, runId: `bench-${n}` });
  const [first, firstMs] = await timed(() => prepare(1));
  const [second, secondMs] = await timed(() => prepare(2));
  const files = await countFiles(second.dir);
  const [, disposeMs] = await timed(async () => {
    await first.dispose();
    await second.dispose();
  });
  await rm(cacheDir, { recursive: true, force: true });
  return { firstMs, secondMs, disposeMs, files };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const dir = await mkdtemp(path.join(tmpdir(), "ai-agent-bench-workspace-"));
try {
  const remote = path.join(dir, "remote.git");
  const [, generateMs] = await timed(() => generate(remote, dir));
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round(remote, path.join(dir, `cache-${i}`)));

  const ms = (n: number) => `${n.toFixed(0)} ms`.padStart(12);
  const row = (label: string, r: Round) =>
    `${label.padEnd(10)}${ms(r.firstMs)}${ms(r.secondMs)}${`${(r.firstMs / r.secondMs).toFixed(1)}×`.padStart(8)}${ms(r.disposeMs)}${String(r.files).padStart(8)}`;
  console.log(`\nworkspace set-up on a generated repository of ${COMMITS} commits (generated in ${generateMs.toFixed(0)} ms), ${ROUNDS} rounds`);
  console.log(`${"".padEnd(10)}${"first run".padStart(12)}${"second run".padStart(12)}${"ratio".padStart(8)}${"dispose×2".padStart(12)}${"files".padStart(8)}`);
  rounds.forEach((r, i) => console.log(row(`round ${i + 1}`, r)));
  const pick = (key: keyof Round) => median(rounds.map((r) => r[key]));
  console.log(row("median", { firstMs: pick("firstMs"), secondMs: pick("secondMs"), disposeMs: pick("disposeMs"), files: pick("files") }));
  console.log("first run: bare partial clone + worktree (its checkout fetches the tree's blobs); second run: fetch + worktree");
} finally {
  await rm(dir, { recursive: true, force: true });
}
