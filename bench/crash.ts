/**
 * Kill anywhere: the app in its own process (src/main.ts on PostgreSQL, with GitHub, git, the model
 * and Slack as real HTTP servers) is killed with SIGKILL, or stopped with SIGTERM, at each point of
 * an implement run — after the plan, inside the tool loop, after the commit, after the push, after
 * GitHub created the pull request, during a tracking-comment edit — and started again. Each trial
 * must end with one run, succeeded; one pull request; one tracking comment, in its final state; no
 * Slack message twice; no git lock file left. A run with no kill at the end shows the repository is
 * still usable. Prints each trial and the time from the signal to the run's final state.
 *
 *   npm run bench:crash [-- --trials 20] [--lock-lifetime-ms 5000] [--only after-push]
 *
 * The lock lifetime is shortened so that twenty trials take minutes: a killed run moves on once its
 * lock expires, so with the default QUEUE_LOCK_LIFETIME_MS (55 s) each recovery is about 50 s longer.
 */
import { parseArgs } from "node:util";
import { CRASH_POINTS, CrashRig, type TrialResult } from "../test/helpers/crash-rig.js";

const { values } = parseArgs({
  options: {
    trials: { type: "string", default: "20" },
    "lock-lifetime-ms": { type: "string", default: "5000" },
    "shutdown-timeout-ms": { type: "string", default: "3000" },
    only: { type: "string" },
  },
});
const trials = Number(values.trials);
const lockLifetimeMs = Number(values["lock-lifetime-ms"]);
const points = values.only ? CRASH_POINTS.filter((p) => p.id === values.only) : CRASH_POINTS;
if (points.length === 0) throw new Error(`--only: no point ${values.only}; the points are ${CRASH_POINTS.map((p) => p.id).join(", ")}`);

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const rig = await CrashRig.start({ lockLifetimeMs, shutdownTimeoutMs: Number(values["shutdown-timeout-ms"]) });
console.log(`crash trials: ${trials}, lock lifetime ${lockLifetimeMs} ms, shutdown timeout ${values["shutdown-timeout-ms"]} ms, PostgreSQL, bubblewrap`);
for (const point of points) console.log(`  ${point.id.padEnd(13)} ${point.where}`);
console.log("");
console.log(" #  point          signal   exit      recovered  outcome");
const results: TrialResult[] = [];
let failed = 0;
try {
  for (let i = 0; i < trials; i++) {
    const point = points[i % points.length]!;
    const signal: NodeJS.Signals = Math.floor(i / points.length) % 2 === 0 ? "SIGKILL" : "SIGTERM";
    let result: TrialResult;
    try {
      result = await rig.trial(point, signal);
    } catch (error) {
      result = { point: point.id, signal, issue: -1, recoveryMs: Number.NaN, exitMs: Number.NaN, problems: [(error as Error).message] };
    }
    results.push(result);
    if (result.problems.length > 0) failed++;
    const outcome = result.problems.length === 0 ? "1 run ok · 1 PR · 1 final comment · no duplicate" : `FAILED: ${result.problems.join("; ")}`;
    console.log(`${String(i + 1).padStart(2)}  ${point.id.padEnd(13)}  ${signal}  ${seconds(result.exitMs).padStart(7)}  ${seconds(result.recoveryMs).padStart(9)}  ${outcome}`);
    if (result.problems.length > 0 && process.env.CRASH_LOGS) console.log(rig.logs().slice(-6000));
  }
  const clean = await rig.cleanRun();
  if (clean.problems.length > 0) failed++;
  console.log(`\nnext run after the trials (no kill): ${seconds(clean.ms)}, ${clean.problems.length === 0 ? "ok" : `FAILED: ${clean.problems.join("; ")}`}`);
  for (const signal of ["SIGKILL", "SIGTERM"] as const) {
    const times = results.filter((r) => r.signal === signal && r.problems.length === 0).map((r) => r.recoveryMs).sort((a, b) => a - b);
    if (times.length === 0) continue;
    const p50 = times[Math.floor((times.length - 1) / 2)]!;
    console.log(`${signal}: ${times.length} trials ok, recovery p50 ${seconds(p50)}, max ${seconds(times.at(-1)!)}`);
  }
  console.log(`${trials - results.filter((r) => r.problems.length > 0).length}/${trials} trials ended in exactly one outcome`);
} finally {
  await rig.close();
}
process.exit(failed > 0 ? 1 : 0);
