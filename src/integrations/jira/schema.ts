import { z } from "zod";

/**
 * The parts of Jira Cloud REST v3 answers the app relies on, checked where they arrive: a changed
 * or proxied answer fails naming the call, instead of an `undefined` surfacing steps later. Keys
 * the app does not read are let through.
 */

/** POST /rest/api/3/issue/{key}/comment: the comment, whose id the sink keeps on the run. */
export const commentCreated = z.object({ id: z.string() });

/** GET /rest/api/3/issue/{key}/transitions: the transitions open from the issue's status. */
export const transitionList = z.object({
  transitions: z.array(z.object({ id: z.string(), name: z.string(), to: z.object({ name: z.string().optional() }).optional() })),
});

/** POST /rest/api/3/issue: the new issue's key. */
export const issueCreated = z.object({ id: z.string(), key: z.string(), self: z.string() });

/**
 * POST /rest/api/3/search/jql: one page of the issues a JQL query finds, with the fields asked
 * for; `nextPageToken` is there while more pages follow.
 */
export const searchPage = z.object({
  issues: z.array(z.object({ id: z.string(), key: z.string(), fields: z.object({ labels: z.array(z.string()).default([]) }).default({ labels: [] }) })),
  nextPageToken: z.string().nullish(),
  isLast: z.boolean().optional(),
});

/** Jira's error body, as far as it has one. */
export const errorBody = z.object({ errorMessages: z.array(z.string()).optional(), errors: z.record(z.string(), z.string()).optional() });

/** An answer whose content the app does not read (a transition's 204, a remote link). */
export const ignored = z.unknown();
