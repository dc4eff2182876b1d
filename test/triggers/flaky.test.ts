import { describe, expect, it } from "vitest";
import { allLookFlaky, looksFlaky } from "../../src/triggers/flaky.js";

/** Which failures are re-run before a model call is spent on them. */

const check = (logTail: string, output: Partial<{ title: string; summary: string; text: string }> = {}) => ({ title: "", summary: "", text: "", logTail, ...output });

describe("looksFlaky", () => {
  it.each([
    ["a reset connection", "npm ERR! network read ECONNRESET"],
    ["a timed-out fetch", "Error: connect ETIMEDOUT 140.82.112.3:443"],
    ["a registry's 503", "npm ERR! 503 Service Unavailable - GET https://registry.npmjs.org/left-pad"],
    ["a gateway's 502", "fatal: unable to access 'https://github.com/acme/widgets/': The requested URL returned error: 502"],
    ["a 504", "Error: Request failed with status code 504"],
    ["a runner shut down", "##[error]The runner has received a shutdown signal. This can happen when the runner service is stopped, or a manually started runner is canceled."],
    ["a runner lost", "The hosted runner: GitHub Actions 12 lost communication with the server. Anything in your workflow that terminates the runner process, starves it for CPU/Memory, or blocks its network access can cause this error."],
    ["a rate limit", "Error: API rate limit exceeded for installation ID 1."],
    ["too many requests", "HTTP 429 Too Many Requests"],
    ["a name that did not resolve", "curl: (6) Could not resolve host: example.com"],
    ["a full disk", "System.IO.IOException: No space left on device"],
  ])("re-runs %s", (_name, log) => {
    expect(looksFlaky(check(`Run npm ci\n${log}\nError: Process completed with exit code 1.`))).toBe(true);
  });

  it("reads the check's output too, not only the log", () => {
    expect(looksFlaky(check("", { summary: "The job was not started: lost communication with the server." }))).toBe(true);
  });

  it.each([
    ["a failing assertion", "FAIL test/greeting.test.ts > says hello\nAssertionError: expected 'Helo' to be 'Hello'"],
    ["a type error", "src/greeting.ts(3,7): error TS2322: Type 'number' is not assignable to type 'string'."],
    ["a lint error", "/repo/src/greeting.ts\n  3:7  error  'name' is never reassigned. Use 'const' instead  prefer-const"],
    ["a status code in a test name", "FAIL test/api.test.ts > answers 404 for a missing page"],
    ["an empty log", ""],
  ])("fixes %s", (_name, log) => {
    expect(looksFlaky(check(log))).toBe(false);
  });
});

describe("allLookFlaky", () => {
  it("needs every failing check to look flaky, and at least one", () => {
    expect(allLookFlaky([check("ECONNRESET"), check("socket hang up")])).toBe(true);
    expect(allLookFlaky([check("ECONNRESET"), check("AssertionError: expected 1 to be 2")])).toBe(false);
    expect(allLookFlaky([])).toBe(false);
  });
});
