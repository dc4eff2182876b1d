import { z } from "zod";

/**
 * A run as every layer sees it: what was asked, by whom, where, and what became of it. The store
 * keeps runs, the queue starts them, workflows and the tracking comment read them; the types live
 * here so none of those has to import another for them.
 */

export const runStatuses = ["queued", "running", "succeeded", "failed", "stopped", "cancelled"] as const;
export type RunStatus = (typeof runStatuses)[number];
export const activeRunStatuses: readonly RunStatus[] = ["queued", "running"];

/**
 * `follow_up` is the agent's further work on a pull request's branch: what writers asked in comments
 * and reviews, or a fix of its failing checks (workflow `fix_ci`). One task, so one such run per pull
 * request at a time: two runs never push to the same branch at once.
 */
export const runTasks = ["implement", "plan", "review", "ask", "follow_up"] as const;
export type RunTask = (typeof runTasks)[number];

export const runTriggers = ["label", "command", "pull_request", "review", "check", "cli"] as const;
export type RunTrigger = (typeof runTriggers)[number];

export const runStepSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  status: z.enum(["pending", "running", "succeeded", "failed", "skipped", "rolled_back"]),
  attempts: z.number().int().nonnegative().default(0),
  startedAt: z.coerce.date().optional(),
  finishedAt: z.coerce.date().optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
  error: z.string().optional(),
  /** Why the step is as it is, when that is no error: what made a skipped step's `if:` false. */
  note: z.string().optional(),
});
export type RunStep = z.infer<typeof runStepSchema>;

/** The item's text as the trigger saw it; a run reads this, never the text edited since. */
export const runSnapshotSchema = z.object({
  title: z.string(),
  body: z.string(),
  author: z.string(),
  /** When the event happened (ISO 8601): comments edited after it are left out. */
  at: z.string(),
});
export type RunSnapshot = z.infer<typeof runSnapshotSchema>;

/** A pull request (or merge request) as the forge gave it: an issue with a head to merge into a base. */
export const changeRequestSchema = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string(),
  state: z.string(),
  draft: z.boolean(),
  author: z.string().nullable(),
  /** `repo` is the head's repository (`owner/name`): another one for a fork, null when it was deleted. */
  head: z.object({ ref: z.string(), sha: z.string(), repo: z.string().nullable().optional() }),
  base: z.object({ ref: z.string() }),
  url: z.string(),
});
export type ChangeRequest = z.infer<typeof changeRequestSchema>;

/**
 * One answer the configuration was read from: a file of the chain (its text, and the blob it is,
 * which names the version), or the answer that there is none at that place.
 */
export const configReadSchema = z.object({
  owner: z.string(),
  repo: z.string(),
  path: z.string(),
  ref: z.string().optional(),
  file: z.object({ sha: z.string(), text: z.string() }).nullable(),
});
export type ConfigRead = z.infer<typeof configReadSchema>;

/**
 * What a run was accepted on, read once by the intake and read by every step after: the
 * configuration's files (so the run follows the version that let it in, without asking again),
 * the default branch, and for a pull request its head and base.
 */
export const runBasisSchema = z.object({
  defaultBranch: z.string(),
  config: z.array(configReadSchema).max(12),
  change: changeRequestSchema.optional(),
});
export type RunBasis = z.infer<typeof runBasisSchema>;

export const newRunSchema = z.object({
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "expected owner/name"),
  installationId: z.number().int().positive().optional(),
  /**
   * The connection the run belongs to, `<integration>:<account>` (`github:42` for an installation):
   * which forge, and whose, the run's repository is reached through.
   */
  connection: z.string().regex(/^[a-z][a-z0-9-]*:[^\s]+$/, "expected <integration>:<account>, such as github:42").optional(),
  /** The issue or pull request number. */
  number: z.number().int().positive(),
  kind: z.enum(["issue", "pull_request"]),
  task: z.enum(runTasks),
  trigger: z.enum(runTriggers),
  actor: z.string().min(1),
  /** The webhook delivery that caused the run, when there was one. */
  deliveryId: z.string().optional(),
  /** Extra instructions or the question, from the slash command. */
  input: z.string().optional(),
  /** For reviews: the pull request head the run reviews. */
  headSha: z.string().optional(),
  /** The workflow to run when it is not the task's own (a label such as `ai:hotfix`). */
  workflow: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/).optional(),
  snapshot: runSnapshotSchema.optional(),
  basis: runBasisSchema.optional(),
});
export type NewRun = z.infer<typeof newRunSchema>;

export interface Run extends NewRun {
  id: string;
  status: RunStatus;
  steps: RunStep[];
  /** Named links the run produced: tracking comment, branch, pull request, Slack thread… */
  links: Record<string, string>;
  /** Spend in micro-dollars, an integer so sums are exact on every backend. */
  costMicros: number;
  error?: string;
  /** Who asked the run to stop; it stops at its next step boundary. */
  stopRequestedBy?: string;
  createdAt: Date;
  updatedAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
}

/** A task as people read it: `follow_up` is a follow-up. */
export function taskLabel(task: RunTask): string {
  return task.replace(/_/g, "-");
}

/**
 * Whether a pull request's head is in another repository than `fullName` (a fork): the app cannot
 * push there. A head whose repository was deleted (`null`) counts as one; one not told (`undefined`,
 * an older stored basis) does not.
 */
export function headInFork(change: Pick<ChangeRequest, "head">, fullName: string): boolean {
  const { repo } = change.head;
  if (repo === undefined) return false;
  return repo === null || repo.toLowerCase() !== fullName.toLowerCase();
}

/** Whether `login` (the app's `<slug>[bot]`) opened the pull request. */
export function openedBy(change: Pick<ChangeRequest, "author">, login: string | undefined): boolean {
  return login !== undefined && change.author?.toLowerCase() === login.toLowerCase();
}
