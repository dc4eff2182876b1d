/**
 * Whether a failed check looks like the CI's trouble rather than the code's: a network blip, a
 * runner that went away, a registry that answered 503. Such a failure is re-run once before a model
 * call is spent on it; a real failure that merely mentions a timeout fails again, and is fixed then.
 */

const TRANSIENT: readonly RegExp[] = [
  /\bE(?:TIMEDOUT|CONNRESET|CONNREFUSED|AI_AGAIN|PIPE|HOSTUNREACH|NETUNREACH)\b/,
  /\bsocket hang up\b/i,
  /\b(?:502|503|504)\b[^\n]{0,40}\b(?:bad gateway|service unavailable|gateway time-?out)\b/i,
  /\b(?:bad gateway|service unavailable|gateway time-?out)\b/i,
  /\b(?:HTTP|status(?: code)?|returned|error)[ :]*(?:502|503|504)\b/i,
  /runner has received a shutdown signal/i,
  /lost communication with the server/i,
  /the operation was canceled/i,
  /\brate limit(?:ed)?\b|\btoo many requests\b|\b429\b/i,
  /\bnetwork (?:is )?unreachable\b|\bconnection (?:timed out|reset by peer)\b/i,
  /\btemporary failure in name resolution\b|\bcould not resolve host\b/i,
  /\bno space left on device\b/i,
];

/** What a failed check said: its output and the end of its log. */
export interface CheckOutcomeText {
  title: string;
  summary: string;
  text: string;
  logTail: string;
}

/** Whether this failure's words are those of a transient fault of the CI, not of the code. */
export function looksFlaky(check: CheckOutcomeText): boolean {
  const said = [check.title, check.summary, check.text, check.logTail].join("\n");
  return TRANSIENT.some((pattern) => pattern.test(said));
}

/** Whether every failing check looks flaky; none failing is not flaky (there is nothing to re-run). */
export function allLookFlaky(checks: readonly CheckOutcomeText[]): boolean {
  return checks.length > 0 && checks.every(looksFlaky);
}
