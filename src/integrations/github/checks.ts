import { z } from "zod";
import { failedCheckConclusions } from "../../core/trigger.js";
import type { GitHubClient } from "./client.js";

/**
 * The checks of a commit as the CI autopilot reads them: the failing check runs on a head, their
 * output and annotations, and for GitHub Actions the end of the failed job's log; and the re-run of
 * an Actions run's failed jobs. Every answer is validated here, at the edge: a check whose answer is
 * not what GitHub documents is left out with its log, never a crash halfway through a fix.
 *
 * What these return is untrusted text (anyone who can push a workflow writes it): the caller
 * sanitises it before it reaches a model, and never posts it back.
 */

/** How much of a failed job's log is read: its last lines, and at most this many bytes of them. */
export const LOG_TAIL_LINES = 200;
export const LOG_TAIL_BYTES = 20 * 1024;
/** Per check, the output text and annotations kept; a check may carry megabytes of either. */
const OUTPUT_CHARS = 8 * 1024;
const MAX_ANNOTATIONS = 30;
/** The most failing checks read on one head: a matrix of 200 jobs that all fail says the same thing. */
const MAX_FAILING = 8;

const checkRunSchema = z.object({
  id: z.number(),
  name: z.string(),
  head_sha: z.string(),
  status: z.string(),
  conclusion: z.string().nullable(),
  details_url: z.string().nullish(),
  external_id: z.string().nullish(),
  app: z.object({ id: z.number(), slug: z.string().nullish() }).nullish(),
  output: z
    .object({ title: z.string().nullish(), summary: z.string().nullish(), text: z.string().nullish(), annotations_count: z.number().default(0) })
    .nullish(),
});
const checkRunsSchema = z.object({ total_count: z.number(), check_runs: z.array(checkRunSchema) });
const annotationsSchema = z.array(
  z.object({
    path: z.string(),
    start_line: z.number().nullish(),
    end_line: z.number().nullish(),
    annotation_level: z.string().nullish(),
    title: z.string().nullish(),
    message: z.string(),
  }),
);
const jobSchema = z.object({ id: z.number(), run_id: z.number() });

export interface CheckAnnotation {
  path: string;
  line: number | null;
  level: string;
  title: string;
  message: string;
}

/** One check run on a head, as the autopilot needs it. */
export interface CheckRunInfo {
  id: number;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  appId: number | undefined;
  /** The app's slug: `github-actions` for Actions. */
  appSlug: string | undefined;
  /** For a GitHub Actions job: its id and its workflow run's, where the check's address names them. */
  actions?: { jobId: number; runId: number | undefined };
  title: string;
  summary: string;
  text: string;
  annotationsCount: number;
}

/** A failing check with what it said: annotations and, for an Actions job, the end of its log. */
export interface FailingCheck extends CheckRunInfo {
  annotations: CheckAnnotation[];
  logTail: string;
}

const GITHUB_ACTIONS = "github-actions";
/** `https://github.com/o/r/actions/runs/<run>/job/<job>`; older checks link `/runs/<job>`, the job being the check. */
const ACTIONS_JOB_URL = /\/actions\/runs\/(\d+)\/job(?:s)?\/(\d+)/;

function clip(text: string | null | undefined, max: number): string {
  const value = text ?? "";
  return value.length > max ? `${value.slice(0, max)}\n… (cut at ${max} characters)` : value;
}

function checkInfo(check: z.infer<typeof checkRunSchema>): CheckRunInfo {
  const job = ACTIONS_JOB_URL.exec(check.details_url ?? "");
  const isActions = check.app?.slug === GITHUB_ACTIONS;
  const actions = job ? { jobId: Number(job[2]), runId: Number(job[1]) } : isActions ? { jobId: check.id, runId: undefined } : undefined;
  return {
    id: check.id,
    name: check.name,
    headSha: check.head_sha,
    status: check.status,
    conclusion: check.conclusion,
    appId: check.app?.id,
    appSlug: check.app?.slug ?? undefined,
    ...(actions ? { actions } : {}),
    title: clip(check.output?.title, 500),
    summary: clip(check.output?.summary, OUTPUT_CHARS),
    text: clip(check.output?.text, OUTPUT_CHARS),
    annotationsCount: check.output?.annotations_count ?? 0,
  };
}

type Where = { owner: string; repo: string };

/** The latest check run of each check on `sha` (a re-run replaces its earlier attempt), up to 100. */
export async function checkRunsOn(octokit: GitHubClient, where: Where, sha: string): Promise<CheckRunInfo[]> {
  const response = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { ...where, ref: sha, filter: "latest", per_page: 100 });
  const parsed = checkRunsSchema.safeParse(response.data);
  if (!parsed.success) throw new Error(`GitHub's list of check runs on ${sha.slice(0, 7)} was not in the documented shape: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data.check_runs.map(checkInfo);
}

/** The check runs on `sha` that failed, made by any app but ours (`ourSlug`, the app's slug). */
export async function failingChecksOn(octokit: GitHubClient, where: Where, sha: string, ourSlug: string | undefined): Promise<CheckRunInfo[]> {
  const checks = await checkRunsOn(octokit, where, sha);
  return checks.filter((check) => check.status === "completed" && failedCheckConclusions.includes(check.conclusion ?? "") && (ourSlug === undefined || check.appSlug !== ourSlug));
}

async function annotationsOf(octokit: GitHubClient, where: Where, check: CheckRunInfo): Promise<CheckAnnotation[]> {
  if (check.annotationsCount === 0) return [];
  const response = await octokit.request("GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations", { ...where, check_run_id: check.id, per_page: MAX_ANNOTATIONS });
  const parsed = annotationsSchema.safeParse(response.data);
  if (!parsed.success) return [];
  return parsed.data.slice(0, MAX_ANNOTATIONS).map((a) => ({
    path: a.path,
    line: a.start_line ?? null,
    level: a.annotation_level ?? "failure",
    title: clip(a.title, 200),
    message: clip(a.message, 1000),
  }));
}

/** The last lines of a text, at most LOG_TAIL_LINES of them and LOG_TAIL_BYTES long: where a failure is told. */
export function logTail(log: string): string {
  const lines = log.replace(/\r\n/g, "\n").trimEnd().split("\n").slice(-LOG_TAIL_LINES);
  let tail = lines.join("\n");
  const bytes = Buffer.from(tail);
  if (bytes.length > LOG_TAIL_BYTES) tail = bytes.subarray(bytes.length - LOG_TAIL_BYTES).toString("utf8").replace(/^[^\n]*\n/, "");
  return tail;
}

/**
 * The end of an Actions job's log. GitHub answers with a 302 to a short-lived download address,
 * which fetch follows (without our token: it is another origin). A log that is gone (kept 90 days
 * at most) or unreadable is an empty tail, not a failed fix.
 */
export async function jobLogTail(octokit: GitHubClient, where: Where, jobId: number): Promise<string> {
  try {
    const response = await octokit.request("GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs", { ...where, job_id: jobId });
    const data: unknown = response.data;
    const text = typeof data === "string" ? data : data instanceof ArrayBuffer ? new TextDecoder().decode(data) : undefined;
    return text === undefined ? "" : logTail(text);
  } catch {
    return "";
  }
}

/** Each failing check with its annotations and, for an Actions job, the end of its log. */
export async function failingCheckDetails(octokit: GitHubClient, where: Where, checks: readonly CheckRunInfo[]): Promise<FailingCheck[]> {
  const details: FailingCheck[] = [];
  for (const check of checks.slice(0, MAX_FAILING)) {
    const annotations = await annotationsOf(octokit, where, check).catch(() => []);
    const tail = check.actions ? await jobLogTail(octokit, where, check.actions.jobId) : "";
    details.push({ ...check, annotations, logTail: tail });
  }
  return details;
}

/** The Actions workflow run a job belongs to, when the check's address did not say. */
async function runIdOf(octokit: GitHubClient, where: Where, actions: { jobId: number; runId: number | undefined }): Promise<number | undefined> {
  if (actions.runId !== undefined) return actions.runId;
  const response = await octokit.request("GET /repos/{owner}/{repo}/actions/jobs/{job_id}", { ...where, job_id: actions.jobId });
  const parsed = jobSchema.safeParse(response.data);
  return parsed.success ? parsed.data.run_id : undefined;
}

/**
 * Re-runs the failed jobs of the Actions runs these checks belong to, each run once; resolves to the
 * runs re-run. Checks of other CI systems cannot be re-run from here and are skipped.
 */
export async function rerunFailedJobs(octokit: GitHubClient, where: Where, checks: readonly CheckRunInfo[]): Promise<number[]> {
  const runs = new Set<number>();
  for (const check of checks) {
    if (!check.actions) continue;
    const runId = await runIdOf(octokit, where, check.actions);
    if (runId !== undefined) runs.add(runId);
  }
  for (const runId of runs) await octokit.request("POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs", { ...where, run_id: runId });
  return [...runs];
}
