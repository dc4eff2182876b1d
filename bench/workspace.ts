/**
 * Workspace set-up time on a repository of 20,000 files and 2,000 commits, against a plain
 * `git clone` of the same repository in the same round: the first run (bare partial clone + a new
 * worktree, whose checkout fetches the tree's blobs), giving it back, and the second run after the
 * remote's main moved on by one commit (fetch + a worktree for the new head). Run with
 * `npm run bench:workspace`. The repository is generated each run with `git fast-import` into a
 * temp dir and served from there over file://.
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

/**
 * The fast-import stream: one commit on main per iteration, each adding and changing a few files,
 * and one more on `next` that changes a few: where main moves between the first run and the second.
 */
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
  parts.push(`commit refs/heads/next\ncommitter Bench <bench@example.com> ${1_700_000_000 + (COMMITS + 1) * 60} +0000\n`);
  parts.push(data("The commit main moves to between the runs\n"), `from :${COMMITS}\n`);
  for (let n = 0; n < next; n += Math.floor(next / 20)) parts.push(`M 100644 inline ${filePath(n)}\n${data(fileContent(n, COMMITS + 1))}`);
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
  giveBackMs: number;
  secondMs: number;
  cloneMs: number;
  files: number;
}

/**
 * One round on a fresh cache: the first run takes a workspace and gives it back; the remote's main
 * moves on by a commit; the second run takes one (timed) and gives it back; then a plain clone.
 */
async function round(remote: string, cacheDir: string, cloneDir: string): Promise<Round> {
  await run("git", ["update-ref", "refs/heads/main", "refs/heads/next~1"], { cwd: remote, env: env(cacheDir) });
  const manager = new WorkspaceManager({ cacheDir });
  const prepare = (n: number) =>
    manager.prepare({ repo: "bench/big", remoteUrl: pathToFileURL(remote).href, baseBranch: "main", branch: `ai/${n}-bench`, runId: `bench-${n}` });
  const [first, firstMs] = await timed(() => prepare(1));
  const [, giveBackMs] = await timed(() => first.dispose());
  await run("git", ["update-ref", "refs/heads/main", "refs/heads/next"], { cwd: remote, env: env(cacheDir) });
  const [second, secondMs] = await timed(() => prepare(2));
  const files = await countFiles(second.dir);
  await second.dispose();
  // file:// makes git use its transport, as it would for a remote, not hard links to a local path.
  const [, cloneMs] = await timed(() => run("git", ["clone", "--quiet", "--no-tags", pathToFileURL(remote).href, cloneDir], { env: env(path.dirname(cloneDir)) }));
  await rm(cacheDir, { recursive: true, force: true });
  await rm(cloneDir, { recursive: true, force: true });
  return { firstMs, giveBackMs, secondMs, cloneMs, files };
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const summary = (values: number[]) => {
  const s = sorted(values);
  return { min: s[0] ?? NaN, median: s[Math.floor(s.length / 2)] ?? NaN, max: s[s.length - 1] ?? NaN };
};

const dir = await mkdtemp(path.join(tmpdir(), "ai-agent-bench-workspace-"));
try {
  const remote = path.join(dir, "remote.git");
  const [, generateMs] = await timed(() => generate(remote, dir));
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round(remote, path.join(dir, `cache-${i}`), path.join(dir, `clone-${i}`)));

  const ms = (n: number) => `${n.toFixed(0)} ms`.padStart(13);
  const ratio = (n: number) => `${n.toFixed(1)}×`.padStart(11);
  const ratios = rounds.map((r) => r.cloneMs / r.secondMs);
  console.log(`\nworkspace set-up on a generated repository of ${COMMITS} commits (generated in ${generateMs.toFixed(0)} ms), ${ROUNDS} rounds`);
  console.log(`${"".padEnd(10)}${"first run".padStart(13)}${"give back".padStart(13)}${"second run".padStart(13)}${"git clone".padStart(13)}${"clone/2nd".padStart(11)}${"files".padStart(8)}`);
  rounds.forEach((r, i) =>
    console.log(`${`round ${i + 1}`.padEnd(10)}${ms(r.firstMs)}${ms(r.giveBackMs)}${ms(r.secondMs)}${ms(r.cloneMs)}${ratio(ratios[i] ?? NaN)}${String(r.files).padStart(8)}`),
  );
  const column = (key: keyof Round) => summary(rounds.map((r) => r[key]));
  for (const stat of ["min", "median", "max"] as const) {
    const pick = (key: keyof Round) => column(key)[stat];
    console.log(`${stat.padEnd(10)}${ms(pick("firstMs"))}${ms(pick("giveBackMs"))}${ms(pick("secondMs"))}${ms(pick("cloneMs"))}${ratio(summary(ratios)[stat])}`);
  }
  console.log("first run: bare partial clone + worktree; give back: the run's end; second run: fetch + a worktree at main one commit on;");
  console.log("git clone: a plain clone of the same repository over file://; clone/2nd: how many times faster the second run sets up (target ≥ 20×)");
} finally {
  await rm(dir, { recursive: true, force: true });
}
