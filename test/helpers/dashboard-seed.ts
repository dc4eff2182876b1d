import type { Run, RunStep } from "../../src/core/run.js";
import type { Store } from "../../src/store/types.js";

/**
 * Runs as a team's week leaves them — implementations, plans, reviews, follow-ups, in every status,
 * with steps, model turns and spend — for the dashboard's tests and its screenshots.
 */

const MODEL = "claude-sonnet-5-5";
const minutes = (n: number) => n * 60_000;

function steps(start: number, names: [string, string, number][], last: RunStep["status"] = "succeeded"): RunStep[] {
  let at = start;
  return names.map(([id, name, ms], index) => {
    const step: RunStep = { id, name, status: index === names.length - 1 ? last : "succeeded", attempts: 1, startedAt: new Date(at) };
    if (step.status !== "running") step.finishedAt = new Date(at + ms);
    at += ms;
    return step;
  });
}

const IMPLEMENT: [string, string, number][] = [
  ["prepare", "Prepare the workspace", 4_000],
  ["implement", "Implement the issue", minutes(3)],
  ["test", "Run the tests", 40_000],
  ["push", "Push the branch", 3_000],
  ["open_pr", "Open the pull request", 2_000],
];

export interface SeededRuns {
  running: Run;
  finished: Run;
  hidden: Run;
  all: Run[];
}

export async function seedDashboard(store: Store, options: { installationId: number; now?: number }): Promise<SeededRuns> {
  const now = options.now ?? Date.now();
  const all: Run[] = [];
  const make = async (repo: string, number: number, task: Run["task"], actor: string, status: Run["status"], startedAgo: number, names: [string, string, number][], spend: number[]) => {
    const kind = task === "review" || task === "follow_up" ? ("pull_request" as const) : ("issue" as const);
    const trigger = task === "review" ? ("pull_request" as const) : task === "implement" ? ("label" as const) : ("command" as const);
    let run = await store.createRun({ repo, installationId: options.installationId, number, kind, task, trigger, actor });
    const start = now - startedAgo;
    const planned = steps(start, names, status === "running" ? "running" : status === "failed" ? "failed" : "succeeded");
    if (status === "failed") planned[planned.length - 1]!.error = "npm test failed: 2 of 318 tests failed (src/cart.test.ts)";
    const finishedAt = status === "running" || status === "queued" ? undefined : new Date(Math.max(...planned.map((s) => s.finishedAt?.getTime() ?? start)));
    let cost = 0;
    for (const [index, micros] of spend.entries()) {
      const step = planned[Math.min(1, planned.length - 1)]!;
      const at = new Date((step.startedAt?.getTime() ?? start) + 1_000 + index * 7_000);
      await store.addUsage({ runId: run.id, repo, installationId: options.installationId, model: MODEL, inputTokens: 8_000 + index * 3_100, outputTokens: 600 + index * 90, cacheWriteTokens: index === 0 ? 6_200 : 0, cacheReadTokens: index === 0 ? 0 : 6_200 + index * 2_400, costMicros: micros, at });
      cost += micros;
    }
    if (status !== "queued") {
      const links: Record<string, string> = { trackingComment: `https://github.com/${repo}/issues/${number}#issuecomment-${1_000 + number}` };
      if (task === "implement" && status === "succeeded") links.pull_request = `https://github.com/${repo}/pull/${number + 100}`;
      if (task === "implement") Object.assign(links, { branch: `ai/issue-${number}`, slackThread: `https://slack.com/archives/C024BE91L/p17000000000${number}00`, jiraIssue: `https://acme.atlassian.net/browse/ENG-${number}` });
      run = (await store.updateRun(run.id, { status: "running", startedAt: new Date(start) })) ?? run;
      run = (await store.updateRun(run.id, { steps: planned, costMicros: cost, links, ...(finishedAt ? { status, finishedAt } : {}), ...(status === "failed" ? { error: "The step Run the tests failed." } : {}) })) ?? run;
    }
    all.push(run);
    return run;
  };
  const finished = await make("acme/widgets", 41, "implement", "mona", "succeeded", minutes(90), IMPLEMENT, [61_000, 38_000, 44_000, 29_000]);
  await make("acme/widgets", 44, "plan", "hubot", "succeeded", minutes(70), [["plan", "Write the plan", 48_000], ["sub_issues", "Open sub-issues", 4_000]], [52_000]);
  await make("acme/widgets", 45, "review", "octocat", "succeeded", minutes(50), [["review", "Review the pull request", 62_000]], [71_000, 23_000]);
  await make("acme/api", 12, "implement", "octocat", "failed", minutes(40), IMPLEMENT.slice(0, 3), [58_000, 33_000]);
  await make("acme/api", 15, "follow_up", "mona", "succeeded", minutes(30), [["follow_up", "Answer the review", 95_000]], [41_000]);
  await make("acme/web", 7, "ask", "hubot", "succeeded", minutes(20), [["ask", "Answer the question", 9_000]], [6_400]);
  await make("acme/web", 9, "implement", "mona", "queued", 0, [], []);
  const running = await make("acme/widgets", 48, "implement", "mona", "running", minutes(2), IMPLEMENT.slice(0, 2), [57_000, 31_000]);
  // The agent's tool calls so far, as the recorder writes them.
  const at = (ms: number) => new Date(now - minutes(2) + ms);
  const call = (seq: number, ms: number, kind: "tool_call" | "command", name: string, summary: string, output: string | null, exitCode: number | null = null) => ({ seq, at: at(ms), step: "implement", kind, name, summary, output, exitCode, durationMs: kind === "command" ? 2_300 : 40, truncated: false });
  await store.appendRunEvents(running.id, [
    call(1, 6_000, "tool_call", "bash", "ls src && cat package.json | head -20", "cart.ts\ncart.test.ts\nindex.ts\n{\n  \"name\": \"widgets\",\n  \"scripts\": { \"test\": \"vitest run\" }\n}", 0),
    call(2, 11_000, "tool_call", "str_replace_based_edit_tool", "view src/cart.ts", "export function total(items: Item[]) {\n  return items.reduce((sum, i) => sum + i.price, 0);\n}"),
    call(3, 19_000, "tool_call", "str_replace_based_edit_tool", "str_replace src/cart.ts", "The file src/cart.ts has been edited."),
    call(4, 27_000, "command", "test", "npm test", " ✓ src/cart.test.ts (12 tests) 41ms\n\n Test Files  1 passed (1)\n      Tests  12 passed (12)", 0),
  ]);
  // Months before this one, and the budgets the latest calls were held to.
  const month = (back: number) => new Date(Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth() - back, 12));
  for (let back = 1; back <= 5; back++) {
    for (const [repo, base] of [["acme/widgets", 2_400_000], ["acme/api", 1_300_000], ["acme/web", 500_000]] as const) {
      // On an earlier run of the repository (not the one the tests read the turns of).
      const earlier = all.find((run) => run.repo === repo && run.id !== finished.id && run.status !== "queued");
      await store.addUsage({ ...(earlier ? { runId: earlier.id } : {}), repo, installationId: options.installationId, model: MODEL, inputTokens: base / 10, outputTokens: base / 100, costMicros: base + back * 180_000, at: month(back) });
    }
  }
  const thisMonth = new Date(now).toISOString().slice(0, 7);
  for (const [repo, limit] of [["acme/widgets", 25_000_000], ["acme/api", 10_000_000], ["acme/web", 0.5e6]] as const) {
    await store.reserveBudget([{ key: `repo:${repo}:${thisMonth}`, limitMicros: limit, amountMicros: 0 }]);
  }
  const hidden = await make("acme/secret", 3, "implement", "mona", "succeeded", minutes(60), IMPLEMENT, [2_000_000]);
  return { running, finished, hidden, all };
}
