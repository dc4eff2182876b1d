import { type IncomingHttpHeaders, type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import type { FakeCheckRun, FakeGitHub } from "./fake-github.js";

/**
 * The CI of the fake GitHub's repository: GitHub Actions check runs on commits (with output,
 * annotations, and job logs served as GitHub serves them — a 302 to a short-lived download address,
 * here a local HTTP server), the re-run of a workflow run's failed jobs, and labels on issues.
 * Layered on fake-github.ts: its check-runs list answers with the checks added here.
 */

export const ACTIONS_APP = { id: 15368, slug: "github-actions" };

export interface FakeAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  title?: string;
  message: string;
}

export interface FakeCi {
  /** Adds a completed Actions job on `sha` that failed, with what it said; returns its check run. */
  fail(sha: string, job: { name: string; log?: string; summary?: string; text?: string; annotations?: FakeAnnotation[]; conclusion?: string }): FakeCheckRun;
  /** Adds a completed Actions job on `sha` that passed. */
  pass(sha: string, name: string): FakeCheckRun;
  /** The workflow runs whose failed jobs were re-run, in order. */
  reruns: number[];
  /** Labels added to issues and pull requests, by number. */
  labels: Map<number, string[]>;
  /** The headers of each log download, to see what reached the download host. */
  downloads: IncomingHttpHeaders[];
  close(): Promise<void>;
}

export async function fakeCi(github: FakeGitHub, owner = "Codertocat", repo = "Hello-World"): Promise<FakeCi> {
  const logs = new Map<number, string>();
  const annotations = new Map<number, FakeAnnotation[]>();
  /** Each job's workflow run. */
  const runOf = new Map<number, number>();
  const downloads: IncomingHttpHeaders[] = [];
  const reruns: number[] = [];
  const labels = new Map<number, string[]>();
  let nextJob = 31_000;

  const server: Server = createServer((request, response) => {
    downloads.push(request.headers);
    const job = Number(/^\/logs\/(\d+)/.exec(request.url ?? "")?.[1]);
    const log = logs.get(job);
    if (log === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(log);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const logBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const add = (sha: string, name: string, conclusion: string, said: { log?: string | undefined; summary?: string | undefined; text?: string | undefined; annotations?: FakeAnnotation[] | undefined }): FakeCheckRun => {
    const job = nextJob++;
    const run = 9_000_000 + job;
    runOf.set(job, run);
    if (said.log !== undefined) logs.set(job, said.log);
    if (said.annotations) annotations.set(job, said.annotations);
    const check: FakeCheckRun = {
      id: job,
      name,
      head_sha: sha,
      external_id: "",
      status: "completed",
      conclusion,
      app: ACTIONS_APP,
      details_url: `https://github.com/${owner}/${repo}/actions/runs/${run}/job/${job}`,
      output: { title: conclusion === "success" ? null : `${name} failed`, summary: said.summary ?? null, text: said.text ?? null, annotations_count: said.annotations?.length ?? 0 },
    };
    github.checkRuns.push(check);
    return check;
  };

  const prefix = `/repos/${owner}/${repo}`;
  nock("https://api.github.com")
    .persist()
    .get(new RegExp(`^${prefix}/check-runs/(\\d+)/annotations(\\?.*)?$`))
    .reply(function (path) {
      github.requests.push({ method: "GET", path, body: undefined });
      return [200, annotations.get(Number(/check-runs\/(\d+)/.exec(path)?.[1])) ?? []];
    })
    .get(new RegExp(`^${prefix}/actions/jobs/(\\d+)/logs$`))
    .reply(function (path) {
      github.requests.push({ method: "GET", path, body: undefined });
      const job = Number(/jobs\/(\d+)/.exec(path)?.[1]);
      if (!logs.has(job)) return [404, { message: "Not Found" }];
      return [302, "", { location: `${logBase}/logs/${job}?sig=short-lived` }];
    })
    .get(new RegExp(`^${prefix}/actions/jobs/(\\d+)$`))
    .reply(function (path) {
      github.requests.push({ method: "GET", path, body: undefined });
      const job = Number(path.split("/").pop());
      const run = runOf.get(job);
      return run === undefined ? [404, { message: "Not Found" }] : [200, { id: job, run_id: run, status: "completed", conclusion: "failure" }];
    })
    .post(new RegExp(`^${prefix}/actions/runs/(\\d+)/rerun-failed-jobs$`))
    .reply(function (path, body) {
      github.requests.push({ method: "POST", path, body });
      const run = Number(/runs\/(\d+)/.exec(path)?.[1]);
      reruns.push(run);
      // The re-run jobs are new check runs, queued; the failed attempts are no longer the latest.
      for (const check of github.checkRuns) {
        if (check.details_url?.includes(`/runs/${run}/`) && check.conclusion !== "success") Object.assign(check, { status: "queued", conclusion: null });
      }
      return [201, {}];
    })
    .post(new RegExp(`^${prefix}/issues/(\\d+)/labels$`))
    .reply(function (path, body) {
      github.requests.push({ method: "POST", path, body });
      const number = Number(/issues\/(\d+)/.exec(path)?.[1]);
      const added = (body as { labels: string[] }).labels;
      labels.set(number, [...new Set([...(labels.get(number) ?? []), ...added])]);
      return [200, (labels.get(number) ?? []).map((name, i) => ({ id: i + 1, name, color: "ededed", default: false }))];
    });

  return {
    fail: (sha, job) => add(sha, job.name, job.conclusion ?? "failure", job),
    pass: (sha, name) => add(sha, name, "success", {}),
    reruns,
    labels,
    downloads,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
