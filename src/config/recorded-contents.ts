import { z } from "zod";
import type { ConfigRead } from "../core/run.js";
import { isUnreachable } from "./config-sources.js";
import type { RepoContentsClient } from "./config-sources.js";

/**
 * The contents API's answers a configuration was read from, kept and given back. The intake reads
 * a repository's configuration through `recordingContents` and stores what it was told on the run
 * it queues; the run reads the same chain through `replayedContents`, asking GitHub nothing: it
 * follows the version that let it in, even if the file changed while it waited in the queue.
 *
 * Only the answers a usable configuration can be made of are kept — a file's text, or "no file
 * here" (which is how the chain reads 404, and 403 or 422 for a repository it cannot open). Any
 * other answer makes the intake report a problem or fail, and no run is queued from it.
 */

const fileAnswer = z.object({ type: z.literal("file"), encoding: z.literal("base64"), content: z.string(), sha: z.string() });

type Params = Parameters<RepoContentsClient["rest"]["repos"]["getContent"]>[0];

export function recordingContents(client: RepoContentsClient, reads: ConfigRead[]): RepoContentsClient {
  const place = (params: Params) => ({ owner: params.owner, repo: params.repo, path: params.path, ...(params.ref !== undefined ? { ref: params.ref } : {}) });
  return {
    rest: {
      repos: {
        async getContent(params) {
          try {
            const answer = await client.rest.repos.getContent(params);
            const file = fileAnswer.safeParse(answer.data);
            if (file.success) {
              const text = new TextDecoder("utf-8").decode(Buffer.from(file.data.content, "base64"));
              reads.push({ ...place(params), file: { sha: file.data.sha, text } });
            }
            return answer;
          } catch (error) {
            if (isUnreachable(error)) reads.push({ ...place(params), file: null });
            throw error;
          }
        },
      },
    },
  };
}

/** Not there: the status the chain reads as "no file here". */
class NoFileHere extends Error {
  readonly status = 404;
}

/** A client that answers from `reads` alone; a place they do not hold is a bug worth its message. */
export function replayedContents(reads: readonly ConfigRead[]): RepoContentsClient {
  return {
    rest: {
      repos: {
        getContent(params) {
          const read = reads.find(
            (r) => r.owner.toLowerCase() === params.owner.toLowerCase() && r.repo.toLowerCase() === params.repo.toLowerCase() && r.path === params.path && r.ref === params.ref,
          );
          if (!read) return Promise.reject(new Error(`the run's configuration does not hold ${params.owner}/${params.repo}:${params.path}${params.ref ? `@${params.ref}` : ""}`));
          if (!read.file) return Promise.reject(new NoFileHere(`${params.path} is not in ${params.owner}/${params.repo}`));
          const bytes = Buffer.from(read.file.text, "utf8");
          return Promise.resolve({ data: { type: "file", encoding: "base64", size: bytes.length, content: bytes.toString("base64"), sha: read.file.sha } });
        },
      },
    },
  };
}
