import { execFileSync } from "node:child_process";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { IssuesLabeledEvent } from "@octokit/webhooks-types";
import pg from "pg";
import { type AppProcess, freePort, startApp } from "./app-process.js";
import { type TestDatabase, freshPostgres } from "./databases.js";
import { type FakeAnthropic, type RecordedRequest, type ScriptedReply, startFakeAnthropic } from "./fake-anthropic.js";
import { type GitHubHttp, startGitHubHttp } from "./github-http.js";
import { type HeldRequest, RequestHold, type ReleaseMode } from "./hold.js";
import { generatePrivateKey } from "./keys.js";
import { reachableTempDir } from "./sandbox.js";
import { type SlackHttp, startSlackHttp } from "./slack-http.js";
import { deliver, examplePayload } from "./webhooks.js";

/**
 * The app as an operator runs it — its own process (src/main.ts, ROLE=all, PostgreSQL), GitHub,
 * git, the model and Slack each a real HTTP server — killed at a chosen point of an implement run
 * and started again, to see what the run ends as.
 */

export const OWNER = "Codertocat";
export const REPO = "Hello-World";
const APP_ID = 4_321;
const SECRET = "crash-rig-webhook-secret";
const SLACK_TOKEN = "xoxb-crash-rig-slack-token";
const BRANCH_SLUG = "spelling-error-in-the-readme-file";

export interface CrashPoint {
  id: string;
  /** Where the process is when the signal lands. */
  where: string;
  /** Picks the held request among those of the trial, in order. */
  match: () => (request: HeldRequest) => boolean;
  mode: ReleaseMode;
}

/** The nth request for which `test` holds. */
function nth(n: number, test: (request: HeldRequest) => boolean): () => (request: HeldRequest) => boolean {
  return () => {
    let seen = 0;
    return (request) => test(request) && ++seen === n;
  };
}
const modelCall = (r: HeldRequest) => r.service === "anthropic" && r.path.startsWith("/v1/messages") && !r.path.includes("count_tokens");

export const CRASH_POINTS: CrashPoint[] = [
  { id: "after-plan", where: "the plan is recorded; the agent's first model call is in flight", match: nth(2, modelCall), mode: "drop" },
  { id: "tool-loop", where: "inside the tool loop: the README is edited, the third call of the loop is in flight", match: nth(4, modelCall), mode: "drop" },
  { id: "after-commit", where: "the change is committed; the push has just asked for the remote's refs", match: nth(1, (r) => r.service === "git" && r.path.includes("service=git-receive-pack")), mode: "drop" },
  { id: "after-push", where: "the branch is pushed; the pull-request request never reached GitHub", match: nth(1, (r) => r.method === "POST" && r.path.endsWith(`/repos/${OWNER}/${REPO}/pulls`)), mode: "drop" },
  { id: "after-pr", where: "GitHub created the pull request; its answer never reached the app", match: nth(1, (r) => r.method === "POST" && r.path.endsWith(`/repos/${OWNER}/${REPO}/pulls`)), mode: "apply" },
  { id: "comment-edit", where: "a tracking-comment edit was applied by GitHub; its answer never reached the app", match: nth(3, (r) => r.method === "PATCH" && r.path.includes("/issues/comments/")), mode: "apply" },
];

export interface TrialResult {
  point: string;
  signal: NodeJS.Signals;
  issue: number;
  /** Signal to the run's final state, ms. */
  recoveryMs: number;
  /** Signal to the old process's exit, ms. */
  exitMs: number;
  problems: string[];
}

const tool = (name: string, input: Record<string, unknown>): ScriptedReply => ({ content: [{ type: "tool_use", name, input }] });

/** A model that follows the conversation: plan, look, fix the typo, run the tests, finish; the self-review finds nothing. */
function model(request: RecordedRequest): ScriptedReply {
  const tools = ((request.body.tools ?? []) as { name: string }[]).map((t) => t.name);
  if (tools.includes("report_findings")) return tool("report_findings", { overview: "Fixes the typo in the README.", findings: [] });
  if (tools.includes("submit_plan")) return tool("submit_plan", { summary: "Fix the typo in the README.", steps: [{ title: "Correct the spelling" }], files: ["README.md"], estimate: "minutes" });
  const turn = ((request.body.messages ?? []) as { role: string }[]).filter((m) => m.role === "assistant").length;
  const script = [
    tool("str_replace_based_edit_tool", { command: "view", path: "/repo/README.md" }),
    tool("bash", { command: "cd /repo && sed -i 's/tipo/typo/' README.md && grep -c typo README.md" }),
    tool("run", { command: "test" }),
  ];
  return script[turn] ?? tool("finish", { summary: "Fixed the spelling of typo in README.md." });
}

const CONFIG = `version: 1
agent:
  commands:
    test: "node -e \\"process.exit(require('fs').readFileSync('README.md','utf8').includes('tipo') ? 1 : 0)\\""
notify:
  slack:
    channel: "#ai-runs"
`;

export interface CrashRigOptions {
  lockLifetimeMs: number;
  shutdownTimeoutMs: number;
}

export class CrashRig {
  private app: AppProcess | undefined;
  private nextIssue = 1;
  private readonly outputs: string[] = [];

  private constructor(
    readonly work: string,
    readonly db: TestDatabase,
    readonly github: GitHubHttp,
    readonly slack: SlackHttp,
    readonly anthropic: FakeAnthropic,
    readonly hold: RequestHold,
    private readonly env: Record<string, string>,
    private readonly webhookUrl: string,
    private readonly readyUrl: string,
  ) {}

  static async start(options: CrashRigOptions): Promise<CrashRig> {
    const work = await reachableTempDir("ai-agent-crash-");
    const root = path.join(work, "github");
    const seed = path.join(work, "seed");
    await mkdir(path.join(seed, ".github"), { recursive: true });
    await writeFile(path.join(seed, "README.md"), "# Hello World\n\nThis is a tipo.\n");
    await writeFile(path.join(seed, ".github", "ai-agent.yml"), CONFIG);
    const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-C", cwd, ...args], { stdio: "ignore" });
    execFileSync("git", ["init", "-q", "-b", "main", seed]);
    git(seed, "add", ".");
    git(seed, "-c", "user.name=Seed", "-c", "user.email=seed@example.com", "commit", "-q", "-m", "init");
    await mkdir(path.join(root, OWNER), { recursive: true });
    execFileSync("git", ["clone", "-q", "--bare", seed, path.join(root, OWNER, `${REPO}.git`)]);

    const hold = new RequestHold();
    const github = await startGitHubHttp(root, APP_ID, hold);
    github.permissions.set(OWNER, "write");
    const slack = await startSlackHttp(SLACK_TOKEN);
    const anthropic = await startFakeAnthropic([], { fallback: model, hold });
    const db = await freshPostgres();
    if (db.target.kind !== "postgres") throw new Error("expected PostgreSQL");
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      APP_ID: String(APP_ID),
      PRIVATE_KEY: generatePrivateKey(),
      WEBHOOK_SECRET: SECRET,
      DATABASE_URL: db.target.url,
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: base,
      GHE_HOST: github.host,
      GHE_PROTOCOL: "http",
      ANTHROPIC_API_KEY: "sk-ant-crash-rig-key",
      ANTHROPIC_BASE_URL: anthropic.url,
      ANTHROPIC_MAX_RETRIES: "1",
      SLACK_BOT_TOKEN: SLACK_TOKEN,
      SLACK_API_URL: slack.url,
      DATA_DIR: path.join(work, "data"),
      SANDBOX: "bubblewrap",
      QUEUE_LOCK_LIFETIME_MS: String(options.lockLifetimeMs),
      QUEUE_POLL_MS: "500",
      SHUTDOWN_TIMEOUT_MS: String(options.shutdownTimeoutMs),
      DELIVERY_RECOVERY_INTERVAL_MS: "0",
      LOG_LEVEL: "info",
    };
    return new CrashRig(work, db, github, slack, anthropic, hold, env, `${base}/api/github/webhooks`, `${base}/readyz`);
  }

  /** Starts a new app process and waits until it serves. */
  async boot(): Promise<AppProcess> {
    const app = startApp(this.env);
    this.app = app;
    await app.waitForOutput("Listening on", 60_000);
    return app;
  }

  /** The app's output of every process so far, newest last. */
  logs(): string {
    return [...this.outputs, this.app?.output() ?? ""].join("\n--- restart ---\n");
  }

  async label(issue: number): Promise<void> {
    const payload = examplePayload<IssuesLabeledEvent>("issues", "labeled");
    payload.label!.name = "ai:implement";
    payload.issue.number = issue;
    payload.repository.owner.login = OWNER;
    // The repository as the rig's GitHub serves it: its default branch is the seed's.
    payload.repository.default_branch = "main";
    const res = await deliver(this.webhookUrl, "issues", payload, SECRET);
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
  }

  /** One run on a new issue: killed with `signal` at `point`, started again, checked. */
  async trial(point: CrashPoint, signal: NodeJS.Signals): Promise<TrialResult> {
    const issue = this.nextIssue++;
    const app = this.app ?? (await this.boot());
    const held = this.hold.arm(point.match(), point.mode);
    await this.label(issue);
    await withTimeout(held, 90_000, `the run never reached ${point.id}`);
    const signalled = Date.now();
    app.child.kill(signal);
    await withTimeout(app.exited, this.shutdownBound(), `the process did not exit after ${signal}`);
    const exitMs = Date.now() - signalled;
    this.outputs.push(app.output());
    this.app = undefined;
    // What the dead process had asked for goes on as armed: dropped, or done with no one to answer.
    this.hold.release();
    await this.boot();
    const finished = await this.finished(issue, 180_000);
    const recoveryMs = Date.now() - signalled;
    return { point: point.id, signal, issue, recoveryMs, exitMs, problems: [...(finished ? [] : ["the run did not finish"]), ...(await this.check(issue))] };
  }

  /** A run with no kill: the repository is still usable after every trial. */
  async cleanRun(): Promise<{ issue: number; ms: number; problems: string[] }> {
    const issue = this.nextIssue++;
    if (!this.app) await this.boot();
    const started = Date.now();
    await this.label(issue);
    const finished = await this.finished(issue, 120_000);
    return { issue, ms: Date.now() - started, problems: [...(finished ? [] : ["the run did not finish"]), ...(await this.check(issue))] };
  }

  private shutdownBound(): number {
    return Number(this.env.SHUTDOWN_TIMEOUT_MS) + 20_000;
  }

  private async runs(issue: number): Promise<{ id: string; status: string; error: string | null }[]> {
    const client = new pg.Client({ connectionString: this.env.DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string; status: string; error: string | null }>("SELECT id, status, error FROM ai_runs WHERE repo = $1 AND number = $2", [`${OWNER}/${REPO}`, issue]);
      return rows;
    } finally {
      await client.end();
    }
  }

  private async finished(issue: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const runs = await this.runs(issue);
      if (runs.length > 0 && runs.every((r) => ["succeeded", "failed", "stopped", "cancelled"].includes(r.status))) {
        // The last edits (tracking comment, Slack) follow the status by a moment.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        return true;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return false;
  }

  /** Everything that must hold once a run on `issue` is over; empty when all does. */
  async check(issue: number): Promise<string[]> {
    const problems: string[] = [];
    const runs = await this.runs(issue);
    if (runs.length !== 1) problems.push(`${runs.length} runs`);
    for (const run of runs) if (run.status !== "succeeded") problems.push(`run ${run.status}: ${run.error ?? ""}`);
    const branch = `ai/${issue}-${BRANCH_SLUG}`;
    const pulls = this.github.pulls.filter((p) => p.head === branch);
    if (pulls.length !== 1) problems.push(`${pulls.length} pull requests for ${branch}`);
    const tracking = this.github.comments.filter((c) => c.issue === issue && c.body.startsWith("<!-- ai-agent:run:"));
    if (tracking.length !== 1) problems.push(`${tracking.length} tracking comments`);
    if (tracking.length > 0 && !tracking.every((c) => c.body.includes("**Done**"))) problems.push(`tracking comment not final: ${tracking.map((c) => c.body.split("\n").slice(0, 3).join(" ")).join(" | ")}`);
    const others = this.github.comments.filter((c) => c.issue === issue && !c.body.startsWith("<!-- ai-agent:run:"));
    if (others.length > 0) problems.push(`${others.length} other comments: ${others.map((c) => c.body.slice(0, 80)).join(" | ")}`);
    try {
      const readme = execFileSync("git", ["-C", path.join(this.work, "github", OWNER, `${REPO}.git`), "show", `${branch}:README.md`], { encoding: "utf8" });
      if (!readme.includes("This is a typo.")) problems.push("the pushed README is not fixed");
    } catch {
      problems.push(`branch ${branch} was not pushed`);
    }
    // The run's Slack messages: its parent, the replies in its thread, and what its workflow posted.
    const about = (m: SlackHttp["messages"][number]) => m.text.includes(`${OWNER}/${REPO}#${issue}:`);
    const parents = this.slack.messages.filter((m) => m.method === "chat.postMessage" && !m.thread_ts && about(m) && m.text.startsWith("implement — "));
    const mine = this.slack.messages.filter((m) => m.method === "chat.postMessage" && (about(m) || parents.some((p) => p.ts === m.thread_ts)));
    const seen = new Set<string>();
    for (const message of mine) {
      const key = `${message.thread_ts ?? ""}\n${message.text}`;
      if (seen.has(key)) problems.push(`Slack message twice: ${message.text.slice(0, 80)}`);
      seen.add(key);
    }
    if (parents.length !== 1) problems.push(`${parents.length} Slack parent messages`);
    problems.push(...(await this.locks()));
    return problems;
  }

  /** Lock files git left in the shared clone (none may outlive a finished run). */
  private async locks(): Promise<string[]> {
    const clone = path.join(this.env.DATA_DIR!, "git", "repos");
    const found: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.name.endsWith(".lock")) found.push(`lock file left: ${path.relative(clone, full)}`);
      }
    };
    await walk(clone);
    return found;
  }

  async close(): Promise<void> {
    if (this.app && this.app.child.exitCode === null) {
      this.app.child.kill("SIGKILL");
      await this.app.exited;
    }
    await Promise.all([this.github.close(), this.slack.close(), this.anthropic.close()]);
    await this.db.dispose();
    await rm(this.work, { recursive: true, force: true });
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
