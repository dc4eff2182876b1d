import { z } from "zod";
import type { MetricsRecorder } from "../../core/metrics.js";

/** `x-ratelimit-remaining` as GitHub sends it: a whole number; anything else is not counted. */
const remainingHeader = z.string().regex(/^\d{1,9}$/).transform(Number);
const resourceHeader = z.string().regex(/^[a-z_]{1,32}$/);

/**
 * Counts every request to GitHub by method and status, and keeps the rate limit each answer
 * reports. A fetch wrapper rather than an Octokit hook: the fetch of probotOptions is the one
 * place every call passes — each Octokit Probot builds, the scoped clients, and the token requests
 * of @octokit/auth-app, which pass no hook — and it sees each retry as the request it is.
 */
export function countingFetch(inner: typeof fetch, metrics: Pick<MetricsRecorder, "githubRequest">): typeof fetch {
  return async (input, init) => {
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    let response: Response;
    try {
      response = await inner(input, init);
    } catch (error) {
      metrics.githubRequest({ method, status: undefined });
      throw error;
    }
    const remaining = remainingHeader.safeParse(response.headers.get("x-ratelimit-remaining") ?? undefined);
    const resource = resourceHeader.safeParse(response.headers.get("x-ratelimit-resource") ?? undefined);
    metrics.githubRequest({
      method,
      status: response.status,
      ...(remaining.success ? { rateLimitRemaining: remaining.data } : {}),
      ...(resource.success ? { rateLimitResource: resource.data } : {}),
    });
    return response;
  };
}
