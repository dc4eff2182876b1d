/**
 * Webhook response latency: 2,000 signed `/ai plan` comments posted over loopback HTTP to the app
 * (verify, parse, hand to the intake writer, which queues and records it on PostgreSQL behind the
 * response) and to a bare Probot app that does nothing, in the same run; then how long after being
 * taken each delivery was durably queued. The app is measured twice: as ROLE=web runs it, and as
 * the default ROLE=all does — the production entry in a process of its own, its worker taking what
 * the deliveries queue (recording them, the trigger jobs' permission checks, 👀 reactions and
 * replies to a GitHub in another process under Octokit's production throttle, the plan runs) with
 * the production poll interval, each round against a bare Probot process measured just before.
 * Run with `npm run bench:intake` (BENCH_APP_FLAGS="--cpu-prof" to profile the ROLE=all app).
 */
import { type ChildProcess, fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createRequire } from "node:module";
import { Agent, request } from "node:http";
import { generateKeyPairSync } from "node:crypto";
import pg from "pg";
import { pino } from "pino";
import { Probot, Server } from "probot";
import { loadConfig } from "../src/config/env.js";
import { createApp } from "../src/index.js";
import { INTAKE_JOB, TRIGGER_JOB, defineIntakeJob } from "../src/runs/intake-jobs.js";
import { IntakeWriter } from "../src/runs/intake-writer.js";
import { JobQueue } from "../src/runs/queue.js";
import { startWebServer } from "../src/web/server.js";
import { freshPostgres } from "../test/helpers/databases.js";
import { sign } from "../test/helpers/webhooks.js";
import { freePort } from "../test/helpers/app-process.js";
import type { RemoteServices } from "./peers/remote-services.js";
import { ROOT, buildIfStale, hostedRepository, startProductionApp, stopProcess } from "./production-app.js";

const DELIVERIES = 2_000;
const IN_FLIGHT = 4;
const WARM_UP = 100;
const SECRET = "bench-secret";
const PORT_APP = 3811;
const PORT_BARE = 3812;

const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples") as { name: string; examples: Record<string, unknown>[] }[];
const example = examples.find((g) => g.name === "issue_comment")!.examples.find((e) => e.installation)!;
const payload = structuredClone(example) as { comment: { body: string } };
payload.comment.body = "/ai plan";
const body = JSON.stringify(payload);
const signature = sign(SECRET, body);

function post(port: number, secret = signature): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/api/github/webhooks",
        method: "POST",
        agent: keepAlive,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "x-github-event": "issue_comment",
          "x-github-delivery": randomUUID(),
          "x-hub-signature-256": secret,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`HTTP ${res.statusCode}`))));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

async function measure(port: number, secret = signature): Promise<number[]> {
  for (let i = 0; i < WARM_UP; i++) await post(port, secret);
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < DELIVERIES) {
        next += 1;
        latencies.push(await post(port, secret));
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const log = pino({ level: "silent" });

// The bare Probot app: same server, same signature check, a handler that does nothing.
const bare = new Server({
  Probot: Probot.defaults({ appId: 1, privateKey, secret: SECRET, log }),
  log,
  port: PORT_BARE,
  host: "127.0.0.1",
});
await bare.load((app) => {
  app.on("issue_comment.created", async () => undefined);
});
await bare.start();

// The app as ROLE=web runs it, on a scratch PostgreSQL database. The intake writer is timed: when
// each delivery was taken, and when it was durably queued, behind its response.
const scratch = await freshPostgres();
if (scratch.target.kind !== "postgres") throw new Error("expected PostgreSQL");
const database = await scratch.open();
const queue = new JobQueue(database, { concurrency: 20, lockLifetimeMs: 60_000, pollMs: 50 });
await queue.ready();
const takenAt = new Map<string, number>();
const durableAfter: number[] = [];
let batches = 0;
const writer = new IntakeWriter({
  enqueue: async (entries) => {
    await queue.enqueue(INTAKE_JOB, { entries });
    const now = performance.now();
    batches += 1;
    for (const e of entries) durableAfter.push(now - takenAt.get(e.delivery.id)!);
  },
  log,
});
const config = loadConfig({ APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: SECRET, PORT: String(PORT_APP), HOST: "127.0.0.1", DATABASE_URL: scratch.target.url });
const server = await startWebServer(
  config,
  log,
  createApp({
    store: database.store,
    role: "web",
    queueProcessing: () => null,
    intake: {
      accept: (entry) => {
        takenAt.set(entry.delivery.id, performance.now());
        writer.accept(entry);
      },
      get backlog() {
        return writer.backlog;
      },
    },
    appId: 1,
  }),
);

// The default role: the production entry (`node lib/main.js`, ROLE=all, built first if stale) with
// its worker on a thread of its own, on a PostgreSQL database of its own, the production throttle
// and poll. GitHub and the Messages API answer from another process, as they do for a deployed app,
// and so does the bare app it is compared with: what the fakes cost lands on neither the app's
// event loop nor the one timing it.
buildIfStale();
const work = await mkdtemp(path.join(tmpdir(), "ai-agent-bench-intake-"));
await hostedRepository(path.join(work, "github"), "Codertocat", "Hello-World", { "README.md": "# Hello World\n" });
const peer = (script: string, args: string[], env: Record<string, string>): ChildProcess =>
  fork(path.join(ROOT, "bench", "peers", script), args, { execArgv: ["--import", "tsx"], env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
const firstMessage = <T>(child: ChildProcess) =>
  new Promise<T>((resolve, reject) => {
    child.once("message", (message) => resolve(message as T));
    child.once("exit", (code) => reject(new Error(`a bench peer exited with ${code}`)));
  });
const remote = peer("remote-services.ts", [path.join(work, "github")], { PEERS_APP_ID: "1", PEERS_WRITER: "Codertocat" });
const services = await firstMessage<RemoteServices>(remote);
const allPort = await freePort();
const bareAllPort = await freePort();
const bareProcess = peer("bare-probot.ts", [], { PEERS_PORT: String(bareAllPort), PEERS_SECRET: SECRET });
await firstMessage<string>(bareProcess);
const allDb = await freshPostgres();
if (allDb.target.kind !== "postgres") throw new Error("expected PostgreSQL");
const allDbUrl = allDb.target.url;
// BENCH_APP_FLAGS passes node options to the app (`--cpu-prof` to see where its time goes).
const { child: everything } = await startProductionApp(
  {
    APP_ID: "1",
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: SECRET,
    DATABASE_URL: allDbUrl,
    PORT: String(allPort),
    HOST: "127.0.0.1",
    PUBLIC_URL: `http://127.0.0.1:${allPort}`,
    GHE_HOST: services.github,
    GHE_PROTOCOL: "http",
    ANTHROPIC_API_KEY: "sk-ant-intake-bench-key",
    ANTHROPIC_BASE_URL: services.anthropic,
    DATA_DIR: path.join(work, "data"),
    DELIVERY_RECOVERY_INTERVAL_MS: "0",
    LOG_LEVEL: "warn",
  },
  (process.env.BENCH_APP_FLAGS ?? "").split(" ").filter(Boolean),
);

/**
 * The jobs the ROLE=all app still has due and not taken: its worker goes on with a burst's
 * consequences after the burst. Each of its rounds starts once none is left (or after ten
 * seconds), with a bare round measured just before as its baseline. (Jobs it holds wait on
 * GitHub's throttle, a write a second, and cost next to nothing meanwhile.)
 */
async function settled(): Promise<number> {
  const client = new pg.Client({ connectionString: allDbUrl });
  await client.connect();
  try {
    for (const deadline = Date.now() + 10_000; ; await sleep(250)) {
      const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM agenda_jobs WHERE next_run_at <= now() AND locked_at IS NULL");
      if (Number(rows[0]!.n) === 0 || Date.now() > deadline) return Number(rows[0]!.n);
    }
  } finally {
    await client.end();
  }
}

// Interleave them so none gets a quieter machine.
const bareRuns: number[][] = [];
const appRuns: number[][] = [];
const baseRuns: number[][] = [];
const allRuns: number[][] = [];
let unsettled = 0;
for (let round = 0; round < 2; round++) {
  bareRuns.push(await measure(PORT_BARE));
  appRuns.push(await measure(PORT_APP));
}
/** CPU time a process has used, in ms (user + system, from /proc/<pid>/stat, in clock ticks of 10 ms). */
const ticksOf = (stat: string) => {
  const fields = readFileSync(stat, "utf8").split(") ")[1]!.split(" ");
  return { ms: (Number(fields[11]) + Number(fields[12])) * 10, nice: Number(fields[16]) };
};
const cpuMs = (pid: number) => ticksOf(`/proc/${pid}/stat`).ms;
/** The CPU of the process's threads that run at a lower priority: the ROLE=all app's worker thread (worker-thread.ts). */
const workerThreadMs = (pid: number) =>
  readdirSync(`/proc/${pid}/task`)
    .map((tid) => ticksOf(`/proc/${pid}/task/${tid}/stat`))
    .filter((t) => t.nice > 0)
    .reduce((sum, t) => sum + t.ms, 0);
const cpu = { bare: 0, all: 0, worker: 0, remote: 0 };
for (let round = 0; round < 2; round++) {
  unsettled = Math.max(unsettled, await settled());
  let before = cpuMs(bareProcess.pid!);
  baseRuns.push(await measure(bareAllPort));
  cpu.bare += cpuMs(bareProcess.pid!) - before;
  before = cpuMs(everything.pid!);
  const remoteBefore = cpuMs(remote.pid!);
  const workerBefore = workerThreadMs(everything.pid!);
  allRuns.push(await measure(allPort));
  cpu.all += cpuMs(everything.pid!) - before;
  cpu.worker += workerThreadMs(everything.pid!) - workerBefore;
  cpu.remote += cpuMs(remote.pid!) - remoteBefore;
}
const bareAll = bareRuns.flat().sort((a, b) => a - b);
const appAll = appRuns.flat().sort((a, b) => a - b);
const baseAll = baseRuns.flat().sort((a, b) => a - b);
const allAll = allRuns.flat().sort((a, b) => a - b);

const fmt = (n: number) => `${n.toFixed(2)} ms`.padStart(11);
console.log(`\nwebhook response latency, ${DELIVERIES} signed deliveries × 2 rounds, ${IN_FLIGHT} in flight, loopback HTTP`);
console.log(`${"server".padEnd(34)}${"p50".padStart(11)}${"p99".padStart(11)}`);
console.log(`${"bare Probot app (does nothing)".padEnd(34)}${fmt(pct(bareAll, 50))}${fmt(pct(bareAll, 99))}`);
console.log(`${"ai-agent (queues behind, on PG)".padEnd(34)}${fmt(pct(appAll, 50))}${fmt(pct(appAll, 99))}`);
console.log(`${"ratio".padEnd(34)}${(pct(appAll, 50) / pct(bareAll, 50)).toFixed(2).padStart(11)}${(pct(appAll, 99) / pct(bareAll, 99)).toFixed(2).padStart(11)}`);
console.log(`${"bare, before each ROLE=all round".padEnd(34)}${fmt(pct(baseAll, 50))}${fmt(pct(baseAll, 99))}`);
console.log(`${"ai-agent ROLE=all (worker too)".padEnd(34)}${fmt(pct(allAll, 50))}${fmt(pct(allAll, 99))}`);
console.log(`${"ratio".padEnd(34)}${(pct(allAll, 50) / pct(baseAll, 50)).toFixed(2).padStart(11)}${(pct(allAll, 99) / pct(baseAll, 99)).toFixed(2).padStart(11)}`);
const perDelivery = (ms: number) => `${((ms * 1000) / (2 * (WARM_UP + DELIVERIES))).toFixed(0)} µs`.padStart(11);
console.log(`${"CPU per delivery: bare, ROLE=all".padEnd(34)}${perDelivery(cpu.bare)}${perDelivery(cpu.all)}  (each process; of it the worker thread ${perDelivery(cpu.worker).trim()}; the fakes of GitHub and the Messages API ${perDelivery(cpu.remote).trim()})`);
if (unsettled > 0) console.log(`(the ROLE=all app still had ${unsettled} jobs due after ten seconds when a round began)`);
console.log("targets: p99 ≤ 50 ms, ratio ≤ 1.5");

// Under light traffic — one delivery at a time, a few ms apart — each is written on its own.
await writer.drain(10_000);
const busy = durableAfter.splice(0).sort((a, b) => a - b);
const busyWrites = batches;
for (let i = 0; i < 200; i++) {
  await post(PORT_APP);
  await new Promise((resolve) => setTimeout(resolve, 20));
}
await writer.drain(10_000);
const light = durableAfter.splice(0).sort((a, b) => a - b);
console.log(`\nwritten behind the response${"p50".padStart(19)}${"p99".padStart(11)}`);
console.log(`${`busy: ${busy.length} in ${busyWrites} writes`.padEnd(34)}${fmt(pct(busy, 50))}${fmt(pct(busy, 99))}`);
console.log(`${`light: ${light.length} in ${batches - busyWrites} writes`.padEnd(34)}${fmt(pct(light, 50))}${fmt(pct(light, 99))}`);

// Every delivery the app answered was queued, moments later; a worker now records each and fans
// the commands out into trigger jobs.
const sent = (WARM_UP + DELIVERIES) * 2 + 200;
const written = busy.length + light.length;
const fanOutStarted = performance.now();
defineIntakeJob(queue, { store: database.store, log });
await queue.start();
const ids = [...takenAt.keys()];
while ((await database.store.knownDeliveries(ids)).size < sent) await new Promise((resolve) => setTimeout(resolve, 50));
const counter = new pg.Client({ connectionString: scratch.target.url });
await counter.connect();
const triggers = await counter.query<{ n: string }>(`SELECT count(*) AS n FROM agenda_jobs WHERE name = $1`, [TRIGGER_JOB]);
await counter.end();
console.log(`a worker recorded all ${sent} and queued ${triggers.rows[0]!.n} trigger jobs in ${(performance.now() - fanOutStarted).toFixed(0)} ms`);
if (written !== sent || Number(triggers.rows[0]!.n) !== sent) throw new Error("deliveries were lost");

await Promise.all([stopProcess(everything), stopProcess(bareProcess), stopProcess(remote)]);
await allDb.dispose();
await rm(work, { recursive: true, force: true });
await queue.drain(5_000);
await server.stop();
await bare.stop();
keepAlive.destroy();
await database.close();
await scratch.dispose();
