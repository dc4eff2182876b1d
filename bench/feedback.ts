/**
 * Time to the first sign of life: 100 `ai:implement` labels, one after another, sent as signed
 * webhooks to the whole app (Probot server, queue worker, PostgreSQL) with GitHub answering on
 * loopback at once. Prints, from the webhook being sent, how long until GitHub receives the 👀
 * reaction and the "Working on it…" tracking comment (p50/p95/max), with every run slot busy and
 * with a free one. Run with `npm run bench:feedback`. Real GitHub adds its own API latency, a few
 * hundred ms a call; the target is the product's: a sign of life within a second.
 */
import nock from "nock";
import type { IssuesLabeledEvent } from "@octokit/webhooks-types";
import type { TaskRegistry } from "../src/runs/tasks.js";
import { WEBHOOK_SECRET, eventually, startTestApp } from "../test/helpers/app-server.js";
import { fakeGitHub } from "../test/helpers/fake-github.js";
import { deliver, examplePayload } from "../test/helpers/webhooks.js";

const LABELS = 100;
const BURST = 100;

let holding = false;
const held: (() => void)[] = [];
const tasks: TaskRegistry = {
  implement: async (ctx) => {
    if (holding) await ctx.step("wait", "Hold the slot", () => new Promise<void>((resolve) => held.push(resolve)));
    return { summary: "Nothing to change." };
  },
};

const app = await startTestApp(tasks, { concurrency: 1 });
const github = fakeGitHub();
github.permissions.set("Codertocat", "write");
// When GitHub received each request, by path.
const seenAt = new Map<string, number>();
const record = github.requests.push.bind(github.requests);
github.requests.push = (...items) => {
  for (const item of items) if (!seenAt.has(`${item.method} ${item.path}`)) seenAt.set(`${item.method} ${item.path}`, performance.now());
  return record(...items);
};

const labeled = (number: number) => {
  const payload = examplePayload<IssuesLabeledEvent>("issues", "labeled");
  payload.label!.name = "ai:implement";
  payload.issue.number = number;
  return payload;
};
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const fmt = (n: number) => `${n.toFixed(0)} ms`.padStart(9);

async function measure(first: number, wantComment: boolean): Promise<{ reaction: number[]; comment: number[] }> {
  const reaction: number[] = [];
  const comment: number[] = [];
  for (let number = first; number < first + LABELS; number++) {
    const sent = performance.now();
    const res = await deliver(app.webhookUrl, "issues", labeled(number), WEBHOOK_SECRET);
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    const reacted = await eventually(async () => seenAt.get(`POST /repos/Codertocat/Hello-World/issues/${number}/reactions`), 10_000);
    reaction.push(reacted - sent);
    if (wantComment) {
      const commented = await eventually(async () => seenAt.get(`POST /repos/Codertocat/Hello-World/issues/${number}/comments`), 10_000);
      comment.push(commented - sent);
      await eventually(async () => (await app.database.store.listRuns({ number }))[0]?.status === "succeeded", 10_000);
    }
  }
  return { reaction: reaction.sort((a, b) => a - b), comment: comment.sort((a, b) => a - b) };
}

/** `count` labels sent at once: when does each get its 👀? */
async function burst(first: number, count: number): Promise<number[]> {
  const sent = performance.now();
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const res = await deliver(app.webhookUrl, "issues", labeled(first + i), WEBHOOK_SECRET);
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    }),
  );
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const reacted = await eventually(async () => seenAt.get(`POST /repos/Codertocat/Hello-World/issues/${first + i}/reactions`), 60_000);
    times.push(reacted - sent);
  }
  return times.sort((a, b) => a - b);
}

const free = await measure(1_000, true);
// Now the one run slot stays taken: triggers still get their 👀 through the quick slots.
holding = true;
await deliver(app.webhookUrl, "issues", labeled(999), WEBHOOK_SECRET);
await eventually(async () => held.length > 0, 10_000);
const busy = await measure(2_000, false);
const crowd = await burst(3_000, BURST);

console.log(`\ntime from webhook to GitHub receiving the first signs of life, ${LABELS} labels each, loopback GitHub`);
console.log(`${"".padEnd(40)}${"p50".padStart(9)}${"p95".padStart(9)}${"max".padStart(9)}`);
const row = (name: string, s: number[]) => console.log(`${name.padEnd(40)}${fmt(pct(s, 50))}${fmt(pct(s, 95))}${fmt(s.at(-1)!)}`);
row("👀 reaction, a run slot free", free.reaction);
row("tracking comment, a run slot free", free.comment);
row("👀 reaction, every run slot busy", busy.reaction);
row(`👀 reaction, ${BURST} labels at once`, crowd);
console.log("target: a sign of life within 1 s");

holding = false;
for (const resume of held) resume();
github.done();
nock.restore();
await app.close();
