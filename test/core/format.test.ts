import { describe, expect, it } from "vitest";
import { formatDuration, formatUsd, microsFromUsd } from "../../src/core/format.js";
import { statusText } from "../../src/runs/status-text.js";
import { renderTrackingComment } from "../../src/runs/tracking-comment.js";
import type { Run } from "../../src/core/run.js";

describe("amounts of money, as people read them", () => {
  it.each([
    [0, "$0.00"],
    [1, "$0.000001"],
    [42, "$0.000042"],
    [1_000, "$0.001"],
    [4_200, "$0.0042"],
    [4_299, "$0.0042"],
    [9_999, "$0.0099"],
    [10_000, "$0.01"],
    [14_999, "$0.01"],
    [15_000, "$0.02"],
    [995_000, "$1.00"],
    [4_200_000, "$4.20"],
    [123_456_789, "$123.46"],
  ])("shows %i micro-dollars as %s: two decimals from a cent, the digits that matter under one, $0.00 only for nothing", (micros, shown) => {
    expect(formatUsd(micros)).toBe(shown);
  });

  it("shows a cheap run's cost in its tracking comment and status as it is, not as $0.00", () => {
    const at = new Date("2026-11-01T10:00:00Z");
    const run: Run = {
      id: "00000000-0000-4000-8000-000000000001",
      repo: "octo-org/hello-world",
      number: 7,
      kind: "pull_request",
      task: "review",
      trigger: "pull_request",
      actor: "octocat",
      status: "running",
      steps: [],
      links: {},
      costMicros: 4_237,
      createdAt: at,
      updatedAt: at,
      startedAt: at,
    };
    expect(renderTrackingComment(run, "https://ai.example.com/runs/1", { status: "succeeded" }, new Date("2026-11-01T10:00:30Z"))).toContain("cost $0.0042");
    expect(statusText([run], () => "https://ai.example.com/runs/1", new Date("2026-11-01T10:00:30Z"))).toContain("cost so far $0.0042");
  });
});

describe("durations, as people read them", () => {
  it.each([
    [0, "0ms"],
    [500, "500ms"],
    [1_000, "1s"],
    [90_000, "1m 30s"],
    [3_600_000, "1h"],
    [3_723_456, "1h 2m 3s 456ms"],
    [6 * 3_600_000, "6h"],
  ])("shows a duration of %i ms exactly, as a timeout is written: %s", (ms, shown) => {
    expect(formatDuration(ms)).toBe(shown);
  });

  it.each([
    [0, "0s"],
    [-5, "0s"],
    [499, "0s"],
    [45_400, "45s"],
    [59_600, "1m"],
    [90_000, "1m 30s"],
    [3_723_456, "1h 2m"],
    [7_200_000, "2h"],
  ])("shows %i ms that have passed to the second, and to the minute from an hour: %s", (ms, shown) => {
    expect(formatDuration(ms, { elapsed: true })).toBe(shown);
  });

  it("shows the same duration the same way in the tracking comment and in a status reply", () => {
    const at = new Date("2026-11-01T10:00:00Z");
    const run = { id: "r", repo: "o/r", number: 1, kind: "issue", task: "implement", trigger: "label", actor: "octocat", status: "running", steps: [], links: {}, costMicros: 0, createdAt: at, updatedAt: at, startedAt: at } as unknown as Run;
    const later = new Date(at.getTime() + 90_000);
    expect(renderTrackingComment(run, "https://ai.example.com/runs/r", { status: "succeeded" }, later)).toContain("in 1m 30s");
    expect(statusText([run], () => "https://ai.example.com/runs/r", later)).toContain("running for 1m 30s");
  });
});

describe("amounts of US dollars as micro-dollars", () => {
  it("turns a setting such as 2.5 into whole micro-dollars", () => {
    expect(microsFromUsd(20)).toBe(20_000_000);
    expect(microsFromUsd(2.5)).toBe(2_500_000);
    expect(microsFromUsd(0.1 + 0.2)).toBe(300_000);
  });
});
