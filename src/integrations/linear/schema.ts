import { z } from "zod";

/**
 * The parts of Linear's GraphQL answers the app relies on, checked where they arrive: a changed or
 * proxied answer fails naming the operation, instead of an `undefined` surfacing steps later. Keys
 * the app does not read are let through.
 */

/** A GraphQL error as Linear sends it: `extensions.code` says what kind (`RATELIMITED`, `INVALID_INPUT`). */
export const graphqlErrors = z.object({
  errors: z
    .array(
      z.object({
        message: z.string().default(""),
        extensions: z.object({ code: z.string().optional(), userPresentableMessage: z.string().optional() }).partial().optional(),
      }),
    )
    .optional(),
});

const pageInfo = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() });

/** An issue as the tracker knows it: its id for mutations, its identifier and address, its team. */
export const linearIssue = z.object({ id: z.string(), identifier: z.string(), url: z.string(), team: z.object({ id: z.string(), key: z.string() }) });

export const issueAnswer = z.object({ issue: linearIssue });

export const statesAnswer = z.object({
  team: z.object({ states: z.object({ nodes: z.array(z.object({ id: z.string(), name: z.string(), type: z.string().optional() })), pageInfo }) }),
});

export const teamsAnswer = z.object({ teams: z.object({ nodes: z.array(z.object({ id: z.string(), key: z.string() })) }) });

export const commentCreated = z.object({ commentCreate: z.object({ success: z.boolean(), comment: z.object({ id: z.string() }) }) });

export const issueUpdated = z.object({ issueUpdate: z.object({ success: z.boolean() }) });

export const attachmentCreated = z.object({ attachmentCreate: z.object({ success: z.boolean(), attachment: z.object({ id: z.string() }) }) });

export const issueCreated = z.object({ issueCreate: z.object({ success: z.boolean(), issue: z.object({ id: z.string(), identifier: z.string(), url: z.string() }) }) });

export const issueDeleted = z.object({ issueDelete: z.object({ success: z.boolean() }) });

export const issuesPage = z.object({
  issues: z.object({ nodes: z.array(z.object({ identifier: z.string(), url: z.string(), description: z.string().nullable() })), pageInfo }),
});
