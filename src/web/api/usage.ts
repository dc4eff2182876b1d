import type { UsageTotals } from "../../store/types.js";
import type { ApiAnswer, ApiContext } from "./context.js";
import { parseInput } from "./http.js";
import { usageQuery } from "./schemas.js";

/**
 * Spend over the repositories the caller may read: the store sums it by repository and month, by
 * task and by person (lower-cased names: one repository whatever case its runs were recorded in),
 * and this serves those views with the cost in dollars beside the micros.
 */

function served<T extends UsageTotals>({ entries, ...rest }: T) {
  return { ...rest, calls: entries, costUsd: rest.costMicros / 1_000_000 };
}

export async function usage(ctx: ApiContext): Promise<ApiAnswer> {
  const query = parseInput(usageQuery, ctx.query);
  const readable = [...ctx.caller.readable];
  const report = await ctx.store.usageReport({
    repos: query.repo ? readable.filter((repo) => repo === query.repo!.toLowerCase()) : readable,
    ...(query.since ? { since: new Date(query.since) } : {}),
    ...(query.until ? { until: new Date(query.until) } : {}),
  });
  return {
    status: 200,
    body: {
      since: query.since ?? null,
      until: query.until ?? null,
      total: served(report.total),
      byRepoMonth: report.byRepoMonth.map(served),
      byTask: report.byTask.map(served),
      byPerson: report.byPerson.map(served),
    },
  };
}
