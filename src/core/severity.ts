/**
 * How serious a review finding is, most serious first. The reviewer reports with these, and the
 * configuration names one of them (`agent.self_review_severity`) as the bar the agent's own change
 * is held to, so they live here, where both can read them.
 */
export const severities = ["critical", "high", "medium", "low", "info"] as const;
export type Severity = (typeof severities)[number];

/** Whether `severity` is `bar` or more serious. */
export function atLeast(severity: Severity, bar: Severity): boolean {
  return severities.indexOf(severity) <= severities.indexOf(bar);
}
