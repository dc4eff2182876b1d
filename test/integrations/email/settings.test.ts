import { describe, expect, it } from "vitest";
import { parseRepoConfig } from "../../../src/workflow/repo-config.js";

/** `notify.email` in `.github/ai-agent.yml`, as the configuration loader reads it. */

const lines = (...text: string[]): string => `${text.join("\n")}\n`;

function parsed(text: string): { config?: unknown; problems: string[] } {
  const result = parseRepoConfig(text);
  return result.ok ? { config: result.config.notify.email, problems: [] } : { problems: result.problems.map((p) => `${p.line}:${p.column} ${p.message}`) };
}

describe("notify.email", () => {
  it("is absent unless written, and sends the notable events by default", () => {
    expect(parsed(lines("version: 1")).config).toBeUndefined();
    expect(parsed(lines("version: 1", "notify:", "  email:", "    to: [dev@acme.test, lead@acme.test]")).config).toEqual({
      to: ["dev@acme.test", "lead@acme.test"],
      events: ["pr_opened", "failed", "budget_exceeded", "succeeded"],
    });
    expect(parsed(lines("version: 1", "notify:", "  email:", "    to: [dev@acme.test]", "    events: [started, stopped]")).config).toEqual({ to: ["dev@acme.test"], events: ["started", "stopped"] });
  });

  it.each<[string, string, string[]]>([
    ["no addresses", lines("version: 1", "notify:", "  email:", "    events: [failed]"), ['4:5 notify.email.to: required; the addresses to send to, such as ["team@example.com"]']],
    ["an empty list", lines("version: 1", "notify:", "  email:", "    to: []"), ["4:9 notify.email.to: expected at least one address"]],
    ["one address as text", lines("version: 1", "notify:", "  email:", "    to: dev@acme.test"), ["4:9 notify.email.to: expected a list of email addresses"]],
    [
      "a malformed address",
      lines("version: 1", "notify:", "  email:", '    to: [dev@acme.test, "x\\r\\nBcc: all@evil.test"]'),
      ['4:25 notify.email.to[1]: expected an email address such as "team@example.com", not "x\\r\\nBcc: all@evil.test"'],
    ],
    [
      "an unknown event",
      lines("version: 1", "notify:", "  email:", "    to: [dev@acme.test]", "    events: [merged]"),
      ['5:14 notify.email.events[0]: "merged" is not a run event; expected one of started, pr_opened, review_posted, succeeded, failed, stopped, budget_exceeded'],
    ],
    ["an unknown key", lines("version: 1", "notify:", "  email:", "    to: [dev@acme.test]", "    cc: [x@acme.test]"), ["5:5 notify.email.cc: unknown key; expected one of to, events"]],
  ])("reports %s with its position", (_name, text, expected) => {
    expect(parsed(text).problems).toEqual(expected);
  });
});
