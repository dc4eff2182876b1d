import type { GitHubClient } from "../integrations/github/client.js";
import { CHECK_NAME } from "./summary.js";

/**
 * The review's check run on the head it reads. The check carries the run's id as its
 * `external_id`, so a run resumed after a crash takes up the check its first attempt opened instead
 * of leaving that one queued forever beside a second.
 */
export async function openCheckRun(github: GitHubClient, target: { owner: string; repo: string; head: string; runId: string }): Promise<number> {
  const { owner, repo, head, runId } = target;
  const { data: existing } = await github.rest.checks.listForRef({ owner, repo, ref: head, check_name: CHECK_NAME, filter: "all", per_page: 100 });
  const earlier = existing.check_runs.find((check) => check.external_id === runId);
  if (earlier) return earlier.id;
  const { data: check } = await github.rest.checks.create({ owner, repo, name: CHECK_NAME, head_sha: head, external_id: runId, status: "queued" });
  return check.id;
}
