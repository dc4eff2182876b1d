import { describe, expect, it } from "vitest";
import { formatUsd } from "../../src/agent/pricing.js";
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
