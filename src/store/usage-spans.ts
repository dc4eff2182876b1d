/**
 * How the usage report cuts a range [since, until) for reading: the months it takes whole and the
 * whole days of the months at either end, read from the running sums, and the parts of days at
 * either end, read from the ledger. No two pieces cover the same time. An open end counts as
 * whole (the sums hold every day so far); with neither end, the all-time sums serve.
 */

/** Dates as YYYY-MM-DD (UTC), from inclusive, to exclusive; an absent end is open. */
export interface DateSpan {
  from?: string;
  to?: string;
}

export interface UsageSpans {
  allTime: boolean;
  months?: DateSpan;
  days: DateSpan[];
  ledger: { from: Date; to: Date }[];
}

const DAY = 86_400_000;
const floorDay = (at: Date) => new Date(Math.floor(at.getTime() / DAY) * DAY);
const ceilDay = (at: Date) => new Date(Math.ceil(at.getTime() / DAY) * DAY);
const floorMonth = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
const ceilMonth = (at: Date) => (at.getTime() === floorMonth(at).getTime() ? at : new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1)));
const day = (at: Date) => at.toISOString().slice(0, 10);
const span = (from: Date | undefined, to: Date | undefined): DateSpan => ({ ...(from ? { from: day(from) } : {}), ...(to ? { to: day(to) } : {}) });

export function usageSpans(since: Date | undefined, until: Date | undefined): UsageSpans {
  if (!since && !until) return { allTime: true, days: [], ledger: [] };
  const firstDay = since && ceilDay(since);
  const endDay = until && floorDay(until);
  if (since && until && firstDay! >= endDay!) return { allTime: false, days: [], ledger: since < until ? [{ from: since, to: until }] : [] };
  const ledger: UsageSpans["ledger"] = [];
  if (since && since < firstDay!) ledger.push({ from: since, to: firstDay! });
  if (until && endDay! < until) ledger.push({ from: endDay!, to: until });
  const firstMonth = firstDay && ceilMonth(firstDay);
  const endMonth = endDay && floorMonth(endDay);
  if (firstDay && endDay && firstMonth! >= endMonth!) return { allTime: false, days: [span(firstDay, endDay)], ledger };
  const days: DateSpan[] = [];
  if (firstDay && firstDay < firstMonth!) days.push(span(firstDay, firstMonth));
  if (endDay && endMonth! < endDay) days.push(span(endMonth, endDay));
  return { allTime: false, months: span(firstMonth, endMonth), days, ledger };
}
