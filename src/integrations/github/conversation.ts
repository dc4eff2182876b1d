import { z } from "zod";
import type { ConversationComment, PostedComment, ReviewThread, SubmittedReview } from "../kinds/version-control.js";
import type { GitHubClient } from "./client.js";

/**
 * The conversation on a pull request as GitHub keeps it: its comments, its submitted reviews and
 * its review threads. Threads exist only in GitHub's GraphQL API (REST has the comments but not
 * the thread they belong to, nor whether it is resolved); a reply goes through REST, which answers
 * a thread by its first comment, and resolving is the GraphQL mutation `resolveReviewThread`.
 * Every GraphQL answer is checked with zod: its shape is not Octokit-typed.
 */

const PER_PAGE = 100;
/** Threads and their comments read per pull request; a longer conversation is read to here. */
const MAX_THREADS = 100;
const MAX_THREAD_COMMENTS = 50;

const author = z.object({ login: z.string() }).nullable();
const threadsAnswer = z.object({
  repository: z.object({
    pullRequest: z
      .object({
        reviewThreads: z.object({
          nodes: z.array(
            z.object({
              id: z.string(),
              isResolved: z.boolean(),
              isOutdated: z.boolean(),
              path: z.string(),
              line: z.number().nullable(),
              comments: z.object({
                nodes: z.array(z.object({ id: z.string(), databaseId: z.number().nullable(), author, body: z.string(), createdAt: z.string() })),
              }),
            }),
          ),
        }),
      })
      .nullable(),
  }),
});

const THREADS_QUERY = `query($owner: String!, $repo: String!, $number: Int!) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      reviewThreads(first: ${MAX_THREADS}) {
        nodes {
          id isResolved isOutdated path line
          comments(first: ${MAX_THREAD_COMMENTS}) { nodes { id databaseId author { login } body createdAt } }
        }
      }
    }
  }
}`;

const RESOLVE_MUTATION = `mutation($thread: ID!) { resolveReviewThread(input: { threadId: $thread }) { thread { id isResolved } } }`;
const resolveAnswer = z.object({ resolveReviewThread: z.object({ thread: z.object({ id: z.string(), isResolved: z.boolean() }) }) });

export function githubConversation(octokit: GitHubClient, owner: string, repo: string) {
  return {
    async comments(number: number): Promise<ConversationComment[]> {
      const list = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: number, per_page: PER_PAGE });
      return list.map((c) => ({
        id: String(c.id),
        author: c.user?.login ?? "ghost",
        authorType: c.user?.type ?? "User",
        body: c.body ?? "",
        createdAt: c.created_at,
        url: c.html_url,
      }));
    },
    async reviews(number: number): Promise<SubmittedReview[]> {
      const list = await octokit.paginate(octokit.rest.pulls.listReviews, { owner, repo, pull_number: number, per_page: PER_PAGE });
      return list.map((r) => ({
        id: String(r.id),
        author: r.user?.login ?? "ghost",
        authorType: r.user?.type ?? "User",
        state: r.state,
        body: r.body ?? "",
        submittedAt: r.submitted_at ?? "",
      }));
    },
    async reviewThreads(number: number): Promise<ReviewThread[]> {
      const answer = threadsAnswer.parse(await octokit.graphql(THREADS_QUERY, { owner, repo, number }));
      const threads = answer.repository.pullRequest?.reviewThreads.nodes ?? [];
      return threads.map((t) => ({
        id: t.id,
        resolved: t.isResolved,
        outdated: t.isOutdated,
        path: t.path,
        line: t.line,
        // REST answers a thread through its first comment's number, so that is the id kept.
        comments: t.comments.nodes.map((c) => ({ id: c.databaseId === null ? c.id : String(c.databaseId), author: c.author?.login ?? "ghost", body: c.body, createdAt: c.createdAt })),
      }));
    },
    async replyInThread(number: number, thread: ReviewThread, body: string): Promise<PostedComment> {
      const first = thread.comments[0];
      if (!first || !/^\d+$/.test(first.id)) throw new Error(`the review thread ${thread.id} has no comment to answer`);
      const { data } = await octokit.rest.pulls.createReplyForReviewComment({ owner, repo, pull_number: number, comment_id: Number(first.id), body });
      return { id: String(data.id), url: data.html_url };
    },
    async resolveThread(thread: ReviewThread): Promise<void> {
      resolveAnswer.parse(await octokit.graphql(RESOLVE_MUTATION, { thread: thread.id }));
    },
  };
}
