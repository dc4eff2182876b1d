import { z } from "zod";
import type { RunSnapshot } from "../core/run.js";
import { type TriggerRequest, reviewActions } from "../core/trigger.js";
import { checkRequestFromWebhook } from "./check-requests.js";
import { parseSlashCommands } from "./commands.js";

/**
 * Webhook events → a trigger request: who asked for what, where. Pure, and cheap enough to run
 * inside the webhook response: only what can be decided from the payload alone is decided here
 * (not our event, no command, our own comment); the rest needs GitHub or the repository's config
 * and happens in the intake job.
 */

const account = z.object({ login: z.string(), type: z.string().default("User"), id: z.number().optional() });
const repository = z.object({
  name: z.string(),
  owner: z.object({ login: z.string() }),
  default_branch: z.string(),
});
const installation = z.object({ id: z.number() });

/** The item's text as the event carries it: what a run reads, whatever is edited after. */
const itemText = {
  title: z.string().optional(),
  body: z.string().nullish(),
  user: z.object({ login: z.string() }).nullish(),
  updated_at: z.string().optional(),
};
const issue = z.object({ number: z.number(), html_url: z.string().optional(), pull_request: z.unknown().optional(), ...itemText });

const issuesLabeled = z.object({
  action: z.literal("labeled"),
  label: z.object({ name: z.string() }),
  issue,
  repository,
  sender: account,
  installation,
});

const commentCreated = z.object({
  action: z.literal("created"),
  comment: z.object({
    id: z.number(),
    body: z.string().nullable(),
    user: account,
    performed_via_github_app: z.object({ id: z.number() }).nullish(),
    created_at: z.string().optional(),
  }),
  issue,
  repository,
  sender: account,
  installation,
});

const pullRequestEvent = z.object({
  action: z.enum(reviewActions),
  pull_request: z.object({
    number: z.number(),
    html_url: z.string().optional(),
    draft: z.boolean().default(false),
    ...itemText,
    user: account,
  }),
  repository,
  sender: account,
  installation,
});

const reviewSubmitted = z.object({
  action: z.literal("submitted"),
  review: z.object({
    id: z.number(),
    state: z.string().transform((state) => state.toLowerCase()),
    submitted_at: z.string().nullish(),
    user: account.nullable(),
  }),
  pull_request: z.object({ number: z.number(), html_url: z.string().optional(), ...itemText }),
  repository,
  sender: account,
  installation,
});

export type RequestDecision = { request: TriggerRequest } | { ignored: string };

/** Decides from the payload alone whether an event may start something. */
export function requestFromWebhook(
  event: string,
  payload: unknown,
  deliveryId: string,
  appId: number | undefined,
): RequestDecision {
  if (event === "issues") {
    const parsed = issuesLabeled.safeParse(payload);
    if (!parsed.success) return { ignored: "not an issue label event" };
    const p = parsed.data;
    return {
      request: {
        ...where(p, deliveryId),
        number: p.issue.number,
        ...described(p.issue),
        ...snapshotOf(p.issue, p.issue.updated_at),
        isPullRequest: p.issue.pull_request !== undefined,
        detail: { type: "label", label: p.label.name },
      },
    };
  }
  if (event === "issue_comment") {
    const parsed = commentCreated.safeParse(payload);
    if (!parsed.success) return { ignored: "not a new comment" };
    const p = parsed.data;
    // Our own comments quote commands in help texts; the app never reacts to itself.
    if (appId !== undefined && p.comment.performed_via_github_app?.id === appId) return { ignored: "our own comment" };
    const [command] = parseSlashCommands(p.comment.body);
    if (!command) return { ignored: "no /ai command" };
    return {
      request: {
        ...where(p, deliveryId),
        number: p.issue.number,
        ...described(p.issue),
        ...snapshotOf(p.issue, p.comment.created_at),
        isPullRequest: p.issue.pull_request !== undefined,
        detail: { type: "command", commentId: p.comment.id, command },
      },
    };
  }
  if (event === "pull_request") {
    const parsed = pullRequestEvent.safeParse(payload);
    if (!parsed.success) return { ignored: "not a reviewable pull request event" };
    const p = parsed.data;
    const pr = p.pull_request;
    return {
      request: {
        ...where(p, deliveryId),
        number: pr.number,
        ...described(pr),
        ...snapshotOf(pr, pr.updated_at),
        isPullRequest: true,
        detail: {
          type: "pull_request",
          action: p.action,
          draft: pr.draft,
          author: pr.user.login,
        },
      },
    };
  }
  if (event === "pull_request_review") {
    const parsed = reviewSubmitted.safeParse(payload);
    if (!parsed.success) return { ignored: "not a submitted review" };
    const p = parsed.data;
    const pr = p.pull_request;
    // An approval asks for nothing; the rest is decided with the pull request in hand.
    if (p.review.state === "approved") return { ignored: "an approving review" };
    return {
      request: {
        ...where(p, deliveryId),
        number: pr.number,
        ...described(pr),
        ...snapshotOf(pr, p.review.submitted_at ?? undefined),
        isPullRequest: true,
        detail: { type: "review", reviewId: p.review.id, state: p.review.state },
      },
    };
  }
  if (event === "check_suite" || event === "check_run") return checkRequestFromWebhook(event, payload, deliveryId, appId);
  return { ignored: `event ${event} starts nothing` };
}

/**
 * The text a run will use: the title and body the event carries, and the event's time, the cutoff
 * for comments (an edit after it, by anyone, is left out). Absent when the payload has no title.
 */
function snapshotOf(item: { title?: string | undefined; body?: string | null | undefined; user?: { login: string } | null | undefined }, at: string | undefined): { snapshot?: RunSnapshot } {
  if (item.title === undefined) return {};
  const time = at && !Number.isNaN(Date.parse(at)) ? new Date(at).toISOString() : new Date().toISOString();
  return { snapshot: { title: item.title, body: item.body ?? "", author: item.user?.login ?? "ghost", at: time } };
}

/** The title and address, for status messages; absent from some payloads. */
function described(item: { title?: string | undefined; html_url?: string | undefined }): { title?: string; url?: string } {
  return { ...(item.title ? { title: item.title } : {}), ...(item.html_url ? { url: item.html_url } : {}) };
}

function where(
  p: { installation: { id: number }; repository: z.infer<typeof repository>; sender: z.infer<typeof account> },
  deliveryId: string,
) {
  return {
    deliveryId,
    installationId: p.installation.id,
    owner: p.repository.owner.login,
    repo: p.repository.name,
    defaultBranch: p.repository.default_branch,
    sender: { login: p.sender.login, type: p.sender.type },
  };
}
