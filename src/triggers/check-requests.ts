import { z } from "zod";
import { type TriggerRequest, failedCheckConclusions } from "../core/trigger.js";

/**
 * `check_suite.completed` and `check_run.completed` → a check request, from the payload alone: the
 * CI autopilot looks only at failures, on a pull request of this repository, made by another app
 * than ours (the app's own "ai-agent review" check never starts a fix).
 */

const pullRequestRef = z.object({
  number: z.number(),
  head: z.object({ sha: z.string(), repo: z.object({ id: z.number() }).nullish() }),
  base: z.object({ repo: z.object({ id: z.number() }).nullish() }),
});

const checkFields = {
  id: z.number(),
  head_sha: z.string(),
  conclusion: z.string().nullable(),
  app: z.object({ id: z.number() }).nullish(),
  pull_requests: z.array(pullRequestRef).default([]),
};

const where = {
  repository: z.object({ id: z.number(), name: z.string(), owner: z.object({ login: z.string() }), default_branch: z.string() }),
  sender: z.object({ login: z.string(), type: z.string().default("User") }),
  installation: z.object({ id: z.number() }),
};

const suiteCompleted = z.object({ action: z.literal("completed"), check_suite: z.object(checkFields), ...where });
const runCompleted = z.object({ action: z.literal("completed"), check_run: z.object({ ...checkFields, name: z.string() }), ...where });

export type CheckRequestDecision = { request: TriggerRequest } | { ignored: string };

export function checkRequestFromWebhook(event: "check_suite" | "check_run", payload: unknown, deliveryId: string, appId: number | undefined): CheckRequestDecision {
  const parsed = event === "check_suite" ? suiteCompleted.safeParse(payload) : runCompleted.safeParse(payload);
  if (!parsed.success) return { ignored: `not a completed ${event.replace("_", " ")}` };
  const p = parsed.data;
  const check = "check_suite" in p ? p.check_suite : p.check_run;
  // A success is the loop's end, and starts nothing.
  if (!failedCheckConclusions.includes(check.conclusion ?? "")) return { ignored: `check ${check.conclusion ?? "without a conclusion"}: nothing to fix` };
  if (appId !== undefined && check.app?.id === appId) return { ignored: "our own check" };
  // GitHub lists only pull requests whose head is in this repository: a fork's is not there.
  const pull = check.pull_requests.find((pr) => pr.head.sha === check.head_sha && pr.head.repo?.id === p.repository.id);
  if (!pull) return { ignored: "the check is on no pull request of this repository (a fork's, or a branch without one)" };
  return {
    request: {
      deliveryId,
      installationId: p.installation.id,
      owner: p.repository.owner.login,
      repo: p.repository.name,
      defaultBranch: p.repository.default_branch,
      number: pull.number,
      isPullRequest: true,
      sender: { login: p.sender.login, type: p.sender.type },
      detail: {
        type: "check",
        event,
        id: check.id,
        headSha: check.head_sha,
        conclusion: check.conclusion,
        ...(check.app ? { appId: check.app.id } : {}),
        ...("check_run" in p ? { name: p.check_run.name } : {}),
      },
    },
  };
}
