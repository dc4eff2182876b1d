/**
 * How durations and amounts of money read, everywhere people see them: tracking comments, status
 * replies, step errors, Slack and Jira, budget messages, the CLI. One function each, so a cost in
 * Slack and the same cost in the tracking comment cannot read differently. Imports nothing of ours.
 */

const UNITS = [
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
  ["ms", 1],
] as const;

export interface DurationFormat {
  /**
   * Rounds to whole seconds and leaves out the seconds from an hour up, for time that has passed
   * ("running for 1h 5m"); by default a duration is shown exactly, as a timeout is written.
   */
  elapsed?: boolean;
}

/** `500` → `500ms`, `90000` → `1m 30s`, `3723000` → `1h 2m 3s` (with `elapsed`, `1h 2m`). */
export function formatDuration(ms: number, format: DurationFormat = {}): string {
  let rest = Math.max(0, Math.round(format.elapsed ? ms / 1_000 : ms)) * (format.elapsed ? 1_000 : 1);
  if (format.elapsed && rest >= 3_600_000) rest -= rest % 60_000;
  if (rest < 1_000) return format.elapsed ? "0s" : `${rest}ms`;
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const amount = Math.floor(rest / size);
    if (amount > 0) parts.push(`${amount}${unit}`);
    rest -= amount * size;
  }
  return parts.join(" ");
}

/** Micro-dollars in an amount of US dollars, such as a budget setting of 2.5. */
export function microsFromUsd(dollars: number): number {
  return Math.round(dollars * 1_000_000);
}

/**
 * Micro-dollars as people read US dollars: two decimals from a cent up, and under a cent two
 * significant digits ($0.0042), so a cheap review does not read "$0.00" — that is kept for nothing
 * at all.
 */
export function formatUsd(micros: number): string {
  const whole = Math.max(0, Math.round(micros));
  if (whole === 0) return "$0.00";
  if (whole >= 10_000) {
    const cents = Math.round(whole / 10_000);
    return `$${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
  }
  // Integer digits, not floating point: 4237 micro-dollars are "0.004237", shown as "$0.0042".
  const digits = String(whole).padStart(6, "0");
  const significant = digits.search(/[1-9]/);
  return `$0.${digits.slice(0, significant + 2).replace(/0+$/, "")}`;
}
