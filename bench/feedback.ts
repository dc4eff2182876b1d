/**
 * What a person waits for after labelling an issue `ai:implement`, with the whole app (Probot
 * server, queue worker, PostgreSQL) answering signed webhooks, GitHub on loopback, and — by
 * default — GitHub's write throttle (Octokit spaces an installation's writes 1 s apart) and the
 * queue's poll interval as a production server has them.
 *
 * 1. A whole label → pull request run: the implement workflow, the coding agent against a scripted
 *    model (the local fake Messages API), a real git remote, the sandbox. Prints the time from the
 *    webhook to each sign GitHub receives, the number of GitHub writes, and the throttle's floor
 *    (writes × 1 s): a run whose length is near its floor is set by the throttle, not by its work.
 * 2. The first signs of life (👀 and the tracking comment) for labels one after another, with a run
 *    slot free and with every slot busy, and for a burst of labels at once.
 *
 * Run with `npm run bench:feedback`; `-- --fast` also prints the figures without the throttle and
 * with the tests' 100 ms poll, beside the production ones. Real GitHub adds its own API latency, a
 * few hundred ms a call; the target is the product's: a sign of life within a second.
 */
import { setTimeout as sleep } from "node:timers/promises";
import nock from "nock";
import type { TaskRegistry } from "../src/runs/tasks.js";
import { startAgentTestApp } from "../test/helpers/agent-app.js";
import { WEBHOOK_SECRET, eventually, startTestApp } from "../test/helpers/app-server.js";
import { type ScriptedMessage } from "../test/helpers/fake-anthropic.js";
import { type FakeGitHub, fakeGitHub } from "../test/helpers/fake-github.js";
import { deliver, labeledPayload } from "../test/helpers/webhooks.js";

const ROUNDS = 3;
const LABELS = 10;
const BURST = 20;
/** Between labels sent one after another: the throttle's queue is empty again, as for a label that comes alone. */
const IDLE_MS = 3_000;
const ISSUES = "/repos/Codertocat/Hello-World/issues";

interface Setting {
  name: string;
  production: boolean;
}
const settings: Setting[] = [{ name: "production", production: true }, ...(process.argv.includes("--fast") ? [{ name: "no throttle, 100 ms poll", production: false }] : [])];

/** Every request GitHub received, with when. */
interface Seen {
  at: number;
  method: string;
  path: string;
  body: unknown;
}
function watch(github: FakeGitHub): Seen[] {
  const seen: Seen[] = [];
  const record = github.requests.push.bind(github.requests);
  github.requests.push = (...items) => {
    for (const item of items) seen.push({ at: performance.now(), ...item });
    return record(...items);
  };
  return seen;
}
/** A write as the throttle counts one: anything but a read or the token exchange (the auth group, unthrottled). */
const isWrite = (s: Seen) => s.method !== "GET" && s.method !== "HEAD" && !s.path.endsWith("/access_tokens");
const bodyText = (s: Seen) => (s.body as { body?: unknown } | null)?.body;

const tool = (name: string, input: Record<string, unknown>): ScriptedMessage => ({ content: [{ type: "tool_use", name, input }] });
const script = (): ScriptedMessage[] => [
  tool("submit_plan", { summary: "Fix the typo in the README.", steps: [{ title: "Correct the spelling" }], files: ["README.md"], estimate: "minutes" }),
  tool("str_replace_based_edit_tool", { command: "view", path: "/repo/README.md" }),
  tool("str_replace_based_edit_tool", { command: "str_replace", path: "/repo/README.md", old_str: "tipo", new_str: "typo" }),
  tool("run", { command: "test" }),
  tool("finish", { summary: "Fixed the spelling of typo in README.md." }),
  tool("report_findings", { overview: "Fixes the typo in the README.", findings: [] }),
];
const CONFIG = `version: 1\nagent:\n  commands:\n    test: "node -e \\"process.exit(require('fs').readFileSync('README.md','utf8').includes('tipo') ? 1 : 0)\\""\n`;

interface WholeRun {
  reaction: number;
  comment: number;
  pull: number;
  done: number;
  writes: number;
}

/** Label → pull request → "Done", ROUNDS times, each on its own issue. */
async function wholeRuns(setting: Setting): Promise<WholeRun[]> {
  const agent = await startAgentTestApp({ prefix: "ai-agent-bench-feedback-", files: { "README.md": "# Hello World\n\nThis is a tipo.\n" }, production: setting.production });
  const github = fakeGitHub();
  github.permissions.set("Codertocat", "write");
  github.configFiles.set("main", CONFIG);
  github.configFiles.set("master", CONFIG);
  const seen = watch(github);
  const rounds: WholeRun[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const number = 10 + round;
      agent.anthropic.push(...script());
      await sleep(IDLE_MS);
      const from = seen.length;
      const sent = performance.now();
      const res = await deliver(agent.app.webhookUrl, "issues", labeledPayload(number), WEBHOOK_SECRET);
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      const since = (match: (s: Seen) => boolean) => eventually(async () => seen.slice(from).find(match), 60_000);
      const reaction = await since((s) => s.method === "POST" && s.path === `${ISSUES}/${number}/reactions`);
      const comment = await since((s) => s.method === "POST" && s.path === `${ISSUES}/${number}/comments`);
      const pull = await since((s) => s.method === "POST" && s.path.endsWith("/pulls"));
      const done = await since((s) => s.method === "PATCH" && String(bodyText(s)).includes("**Done**"));
      const run = (await agent.app.database.store.listRuns({ number }))[0];
      if (run?.status !== "succeeded") throw new Error(`run on #${number} ended ${run?.status}: ${run?.error ?? ""}`);
      // Writes of this run alone: a final edit still on its way is counted by waiting a moment.
      await sleep(setting.production ? 1_500 : 200);
      const writes = seen.slice(from).filter(isWrite).length;
      rounds.push({ reaction: reaction.at - sent, comment: comment.at - sent, pull: pull.at - sent, done: done.at - sent, writes });
    }
  } finally {
    github.done();
    await agent.close();
  }
  return rounds;
}

let holding = false;
const held: (() => void)[] = [];
const tasks: TaskRegistry = {
  implement: async (ctx) => {
    if (holding) await ctx.step("wait", "Hold the slot", () => new Promise<void>((resolve) => held.push(resolve)));
    return { summary: "Nothing to change." };
  },
};

interface SignsOfLife {
  free: { reaction: number[]; comment: number[] };
  busy: number[];
  crowd: number[];
}

async function signsOfLife(setting: Setting): Promise<SignsOfLife> {
  const app = await startTestApp(tasks, { concurrency: 1, production: setting.production });
  const github = fakeGitHub();
  github.permissions.set("Codertocat", "write");
  const seen = watch(github);
  const firstAt = (method: string, path: string) => eventually(async () => seen.find((s) => s.method === method && s.path === path)?.at, 60_000);
  const send = async (number: number) => {
    const res = await deliver(app.webhookUrl, "issues", labeledPayload(number), WEBHOOK_SECRET);
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  };
  const idle = () => sleep(setting.production ? IDLE_MS : 0);
  try {
    const reaction: number[] = [];
    const comment: number[] = [];
    for (let number = 1_000; number < 1_000 + LABELS; number++) {
      await idle();
      const sent = performance.now();
      await send(number);
      reaction.push((await firstAt("POST", `${ISSUES}/${number}/reactions`)) - sent);
      comment.push((await firstAt("POST", `${ISSUES}/${number}/comments`)) - sent);
      // The run's job ends with its final edit, and the one run slot is free again.
      const run = await eventually(async () => (await app.database.store.listRuns({ number })).find((r) => r.status === "succeeded"), 30_000);
      await eventually(async () => seen.some((s) => s.method === "PATCH" && String(bodyText(s)).startsWith(`<!-- ai-agent:run:${run.id} -->\n✅ **Done**`)), 30_000);
    }
    // Now the one run slot stays taken: triggers still get their 👀 through the quick slots.
    holding = true;
    await send(999);
    await eventually(async () => held.length > 0, 30_000);
    const busy: number[] = [];
    for (let number = 2_000; number < 2_000 + LABELS; number++) {
      await idle();
      const sent = performance.now();
      await send(number);
      busy.push((await firstAt("POST", `${ISSUES}/${number}/reactions`)) - sent);
    }
    // `BURST` labels at once: when does each get its 👀?
    await idle();
    const sent = performance.now();
    await Promise.all(Array.from({ length: BURST }, (_, i) => send(3_000 + i)));
    const crowd: number[] = [];
    for (let i = 0; i < BURST; i++) crowd.push((await firstAt("POST", `${ISSUES}/${3_000 + i}/reactions`)) - sent);
    return { free: { reaction, comment }, busy, crowd };
  } finally {
    holding = false;
    for (const resume of held.splice(0)) resume();
    github.done();
    await app.close();
  }
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const pct = (values: number[], p: number) => {
  const s = sorted(values);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (n: number) => `${n.toFixed(0)} ms`;
const s1 = (n: number) => `${(n / 1000).toFixed(2)} s`;
const spread = (values: number[], unit: (n: number) => string) => {
  const s = sorted(values);
  return `${unit(s[0]!)} / ${unit(s[Math.floor(s.length / 2)]!)} / ${unit(s.at(-1)!)}`;
};

const results: { setting: Setting; whole: WholeRun[]; life: SignsOfLife }[] = [];
// The production setting first: the throttle's queue is shared by every client of an installation
// in the process, and a later setting must not find writes of an earlier one still waiting in it.
for (const setting of settings) results.push({ setting, whole: await wholeRuns(setting), life: await signsOfLife(setting) });

const width = 34;
const column = 30;
const header = (title: string) => console.log(`\n${title}\n${"".padEnd(width)}${results.map((r) => r.setting.name.padStart(column)).join("")}`);
const line = (name: string, cell: (r: (typeof results)[number]) => string) => console.log(`${name.padEnd(width)}${results.map((r) => cell(r).padStart(column)).join("")}`);

header(`label → pull request, whole implement run with a scripted model, ${ROUNDS} rounds (min / median / max)`);
line("👀 reaction", (r) => spread(r.whole.map((w) => w.reaction), s1));
line("tracking comment", (r) => spread(r.whole.map((w) => w.comment), s1));
line("pull request opened", (r) => spread(r.whole.map((w) => w.pull), s1));
line("tracking comment says Done", (r) => spread(r.whole.map((w) => w.done), s1));
line("GitHub writes", (r) => spread(r.whole.map((w) => w.writes), String));
line("throttle floor (writes × 1 s)", (r) => spread(r.whole.map((w) => w.writes * 1000), s1));

header(`first signs of life, ${LABELS} labels one after another, ${BURST} at once (p50 / p95 / max)`);
const p = (values: number[]) => `${ms(pct(values, 50))} / ${ms(pct(values, 95))} / ${ms(sorted(values).at(-1)!)}`;
line("👀 reaction, a run slot free", (r) => p(r.life.free.reaction));
line("tracking comment, a run slot free", (r) => p(r.life.free.comment));
line("👀 reaction, every run slot busy", (r) => p(r.life.busy));
line(`👀 reaction, ${BURST} labels at once`, (r) => p(r.life.crowd));
console.log("target: a sign of life within 1 s; with the throttle, writes to one installation are 1 s apart");

nock.restore();
// Runs queued behind the held slot may still have throttled writes waiting; they are not measured.
process.exit(0);
