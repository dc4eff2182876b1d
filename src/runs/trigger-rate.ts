import type { Store } from "../store/types.js";
import { rateLimitedText } from "../triggers/replies.js";

/**
 * How many runs one person may start in one repository in an hour: the server's
 * TRIGGER_RATE_LIMIT_PER_HOUR, which a repository's `triggers.rate_limit_per_hour` may lower but
 * not raise. Hours are clock hours (UTC), each a counter in the store claimed atomically, so a
 * burst of comments handled by several intake jobs at once starts at most that many runs. Only a
 * trigger that would queue a run claims one: help, status, stop, a busy reply or a push folded
 * into a pending review cost nothing.
 */

/** The limit that applies, or undefined for none (the server's 0 and no repository setting). */
export function triggerRateLimit(serverPerHour: number | undefined, repoPerHour: number | undefined): number | undefined {
  const limits = [serverPerHour, repoPerHour].filter((n): n is number => n !== undefined && n > 0);
  return limits.length > 0 ? Math.min(...limits) : undefined;
}

export type TriggerAdmission = { allowed: true } | { allowed: false; text: string; noticeKey: string };

/** Claims one run of `login`'s in `repo` for the current hour, or says when the next hour starts. */
export async function admitTrigger(store: Pick<Store, "claimRate">, repo: string, login: string, limit: number, now: Date): Promise<TriggerAdmission> {
  const hour = 3_600_000;
  const start = new Date(Math.floor(now.getTime() / hour) * hour);
  const end = new Date(start.getTime() + hour);
  // Logins are case-insensitive on GitHub: Octocat and octocat share one window.
  const key = `trigger:${repo}:${login.toLowerCase()}:${start.toISOString()}`;
  const claim = await store.claimRate(key, limit, end);
  if (claim.allowed) return { allowed: true };
  return { allowed: false, text: rateLimitedText(login, claim.count, start, end), noticeKey: `rate:${key}` };
}
