/**
 * The app's memory over many runs: the production entry (`node lib/main.js`, ROLE=all, built first
 * if stale) on each backend — PostgreSQL and the embedded database — drives 200 label → pull
 * request runs against local fakes over HTTP (GitHub Enterprise's API and git, the Messages API),
 * each run in the real sandbox, and prints the process's resident memory (RSS, from
 * /proc/<pid>/status) idle after start, after a warm-up of 10 runs, and after 50, 100 and 200,
 * with the growth from warm-up to the end; and how long the app took from its start to answering
 * `/healthz`, on a fresh data folder (or database) and again on a restart after the runs. Run with
 * `npm run bench:memory` (`-- --runs N` for another count, `-- --backend pglite` for one backend).
 * Targets: under 250 MB on the embedded database, growth at most 50 MB; start ≤ 5 s fresh, ≤ 3 s
 * on a restart.
 */
import { readFile, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { IssuesLabeledEvent } from "@octokit/webhooks-types";
import { freePort } from "../test/helpers/app-process.js";
import { freshPostgres } from "../test/helpers/databases.js";
import { type RecordedRequest, type ScriptedReply, startFakeAnthropic } from "../test/helpers/fake-anthropic.js";
import { startGitHubHttp } from "../test/helpers/github-http.js";
import { generatePrivateKey } from "../test/helpers/keys.js";
import { reachableTempDir } from "../test/helpers/sandbox.js";
import { deliver, examplePayload } from "../test/helpers/webhooks.js";
import { buildIfStale, hostedRepository, startProductionApp, stopProcess } from "./production-app.js";

const RUNS = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 200;
const BACKENDS = (["postgres", "pglite"] as const).filter((b) => !process.argv.includes("--backend") || process.argv[process.argv.indexOf("--backend") + 1] === b);
const WARM_UP = 10;
const MARKS = [Math.round(RUNS / 4), Math.round(RUNS / 2), RUNS];
const OWNER = "Codertocat";
const REPO = "Hello-World";
const APP_ID = 9_876;
const SECRET = "memory-bench-webhook-secret";
const INSTALLATIONS = 40;

const tool = (name: string, input: Record<string, unknown>): ScriptedReply => ({ content: [{ type: "tool_use", name, input }] });

/** Plan, fix the typo, run the tests, finish; the self-review finds nothing. */
function model(request: RecordedRequest): ScriptedReply {
  const tools = ((request.body.tools ?? []) as { name: string }[]).map((t) => t.name);
  if (tools.includes("report_findings")) return tool("report_findings", { overview: "Fixes the typo.", findings: [] });
  if (tools.includes("submit_plan")) return tool("submit_plan", { summary: "Fix the typo.", steps: [{ title: "Correct the spelling" }], estimate: "minutes" });
  const turn = ((request.body.messages ?? []) as { role: string }[]).filter((m) => m.role === "assistant").length;
  const script = [tool("bash", { command: "cd /repo && sed -i 's/tipo/typo/' README.md" }), tool("run", { command: "test" })];
  return script[turn] ?? tool("finish", { summary: "Fixed the spelling." });
}

const CONFIG = `version: 1
agent:
  commands:
    test: "node -e \\"process.exit(require('fs').readFileSync('README.md','utf8').includes('tipo') ? 1 : 0)\\""
`;

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

async function measure(backend: "postgres" | "pglite"): Promise<Record<string, number>> {
  const work = await reachableTempDir(`ai-agent-memory-${backend}-`);
  const root = path.join(work, "github");
  await hostedRepository(root, OWNER, REPO, { "README.md": "# Hello World\n\nThis is a tipo.\n", ".github/ai-agent.yml": CONFIG });
  const github = await startGitHubHttp(root, APP_ID);
  github.permissions.set(OWNER, "write");
  const anthropic = await startFakeAnthropic([], { fallback: model });
  const db = backend === "postgres" ? await freshPostgres() : undefined;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    APP_ID: String(APP_ID),
    PRIVATE_KEY: generatePrivateKey(),
    WEBHOOK_SECRET: SECRET,
    ...(db && db.target.kind === "postgres" ? { DATABASE_URL: db.target.url } : {}),
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_URL: base,
    GHE_HOST: github.host,
    GHE_PROTOCOL: "http",
    ANTHROPIC_API_KEY: "sk-ant-memory-bench-key",
    ANTHROPIC_BASE_URL: anthropic.url,
    DATA_DIR: path.join(work, "data"),
    SANDBOX: "bubblewrap",
    DELIVERY_RECOVERY_INTERVAL_MS: "0",
    // One person starts every run here; the per-person limit would stop them at 30 an hour.
    TRIGGER_RATE_LIMIT_PER_HOUR: "100000",
    LOG_LEVEL: "warn",
  };
  const figures: Record<string, number> = {};
  const first = await startProductionApp(env);
  let child = first.child;
  figures.freshStart = first.startMs;
  try {
    await sleep(5_000);
    figures.idle = await rssMb(child.pid!);
    let issue = 0;
    // A run is over when its tracking comment says so, opened pull request or not.
    const done = () => github.comments.filter((c) => c.body.startsWith("<!-- ai-agent:run:") && /\*\*(Done|Failed)\*\*/.test(c.body)).length;
    const drive = async (count: number) => {
      const target = done() + count;
      for (let i = 0; i < count; i++) {
        const payload = examplePayload<IssuesLabeledEvent>("issues", "labeled");
        payload.label!.name = "ai:implement";
        payload.issue.number = ++issue;
        payload.repository.owner.login = OWNER;
        payload.repository.default_branch = "main";
        // GitHub's write throttle is per installation (a second between writes): spread over
        // installations, the runs' writes go out side by side and the bench measures memory, not the throttle.
        payload.installation = { id: 1 + (issue % INSTALLATIONS), node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
        const res = await deliver(`${base}/api/github/webhooks`, "issues", payload, SECRET);
        if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      }
      const deadline = Date.now() + count * 30_000;
      while (done() < target) {
        if (Date.now() > deadline) throw new Error(`${target - done()} runs did not end`);
        await sleep(250);
      }
      // The last comment edits follow the pull request.
      await sleep(2_000);
    };
    await drive(WARM_UP);
    figures.warm = await rssMb(child.pid!);
    figures.failed = 0;
    let driven = WARM_UP;
    for (const mark of MARKS) {
      await drive(mark - driven);
      driven = mark;
      figures[String(mark)] = await rssMb(child.pid!);
      figures.failed = done() - github.pulls.length;
      process.stdout.write(`  ${backend}: ${mark} runs, ${figures[String(mark)]} MB\n`);
    }
    await stopProcess(child);
    const again = await startProductionApp(env);
    child = again.child;
    figures.restart = again.startMs;
  } finally {
    await stopProcess(child);
    await github.close();
    await anthropic.close();
    await db?.dispose();
    await rm(work, { recursive: true, force: true });
  }
  return figures;
}

buildIfStale();

console.log(`Memory of the app process (RSS, MB) over ${RUNS} label → PR runs after ${WARM_UP} warm-up runs; ${availableParallelism()} cores`);
const rows: string[] = [];
const seconds = (ms: number | undefined) => `${((ms ?? NaN) / 1000).toFixed(2)} s`;
for (const backend of BACKENDS) {
  const f = await measure(backend);
  const last = f[String(MARKS.at(-1))] ?? f.warm!;
  rows.push(`| ${backend} | ${f.idle} | ${f.warm} | ${MARKS.map((mark) => f[String(mark)]).join(" | ")} | ${last - f.warm!} | ${f.failed} | ${seconds(f.freshStart)} | ${seconds(f.restart)} |`);
}
console.log(`| backend | idle | after warm-up | ${MARKS.map((mark) => `after ${mark}`).join(" | ")} | growth | runs without a PR | start, fresh | restart |`);
console.log(`| --- | --- | --- | ${MARKS.map(() => "---").join(" | ")} | --- | --- | --- | --- |`);
for (const row of rows) console.log(row);
