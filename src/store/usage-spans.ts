/**
 * How the usage report cuts a range [since, until): the months it takes whole, read from the
 * monthly sums, and the parts of months at either end, read from the ledger. The two never cover
 * the same month. An open end counts as whole: the sums hold every month so far.
 */

export interface LedgerSpan {
  from?: Date;
  to?: Date;
}

export interface UsageSpans {
  /** Whole months, YYYY-MM (UTC), from inclusive, to exclusive; absent when the range takes none. */
  months?: { from?: string; to?: string };
  ledger: LedgerSpan[];
}

const monthStart = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
const nextMonthStart = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
const monthOf = (at: Date) => at.toISOString().slice(0, 7);

export function usageSpans(since: Date | undefined, until: Date | undefined): UsageSpans {
  const from = since && (since.getTime() === monthStart(since).getTime() ? since : nextMonthStart(since));
  const to = until && monthStart(until);
  if (since && until && from && to && from >= to) return { ledger: [{ from: since, to: until }] };
  const ledger: LedgerSpan[] = [];
  if (since && from && since < from) ledger.push({ from: since, to: from });
  if (until && to && to < until) ledger.push({ from: to, to: until });
  return { months: { ...(from ? { from: monthOf(from) } : {}), ...(to ? { to: monthOf(to) } : {}) }, ledger };
}
