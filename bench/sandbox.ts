/**
 * The cost of the execution boundary per command: `true`, and `node -e` of a small script, each
 * run 100 times in the bubblewrap sandbox and on the host backend, in one run; p50/p95 and the
 * difference. Target: at most 50 ms added per command. Run with `npm run bench:sandbox`.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { type Sandbox, createSandbox } from "../src/sandbox/index.js";
import { reachableTempDir } from "../test/helpers/sandbox.js";

const ROUNDS = 100;
const SCRIPT = "const fs = require('node:fs'); console.log(fs.readdirSync('.').length + [1, 2, 3].reduce((a, b) => a + b, 0));";
const settings = { network: "deny" as const, maxProcesses: 1024, memoryBytes: 4 * 1024 ** 3, hidden: [process.cwd()] };

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function time(sandbox: Sandbox, argv: string[], workspace: string): Promise<{ p50: number; p95: number }> {
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS + 5; i++) {
    const started = process.hrtime.bigint();
    const result = await sandbox.exec(argv, { workspace, timeoutMs: 10_000 });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.exitCode !== 0) throw new Error(`${argv.join(" ")} failed in ${sandbox.kind}: ${result.stderr}`);
    if (i >= 5) samples.push(ms); // the first few warm the page cache
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

const root = await reachableTempDir("ai-agent-bench-sandbox-");
try {
  const workspace = path.join(root, "ws");
  await mkdir(workspace);
  await writeFile(path.join(workspace, "a.txt"), "a");
  const bwrap = await createSandbox({ mode: "auto", ...settings });
  if (bwrap.kind !== "bubblewrap") throw new Error(`bubblewrap is not working here: ${bwrap.describe().status}`);
  const host = await createSandbox({ mode: "host", ...settings });
  await bwrap.adopt(workspace);
  const f = (n: number) => n.toFixed(1).padStart(7);
  console.log(`per command, ${ROUNDS} runs each (ms)         p50     p95`);
  for (const [name, argv] of [
    ["true", ["true"]],
    ["node -e <small script>", ["node", "-e", SCRIPT]],
  ] as const) {
    const onHost = await time(host, [...argv], workspace);
    const inside = await time(bwrap, [...argv], workspace);
    console.log(`${name.padEnd(24)} host        ${f(onHost.p50)} ${f(onHost.p95)}`);
    console.log(`${"".padEnd(24)} bubblewrap  ${f(inside.p50)} ${f(inside.p95)}`);
    console.log(`${"".padEnd(24)} added       ${f(inside.p50 - onHost.p50)} ${f(inside.p95 - onHost.p95)}   (target: ≤ 50 ms)`);
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
