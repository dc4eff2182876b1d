import { describe, expect, it } from "vitest";
import { NUL_ESCAPE, repairText, safeText, storable, wellFormed } from "../../src/core/safe-json.js";

const LONE_HIGH = "\uD83D";
const LONE_LOW = "\uDE00";

describe("repairText", () => {
  it("escapes NUL visibly and replaces lone surrogates, keeping pairs", () => {
    expect(repairText("a\0b")).toBe(`a${NUL_ESCAPE}b`);
    expect(repairText(`x${LONE_HIGH}y${LONE_LOW}z😀`)).toBe("x\uFFFDy\uFFFDz😀");
    expect(repairText(`${LONE_LOW}${LONE_HIGH}`)).toBe("\uFFFD\uFFFD");
    expect(repairText("plain")).toBe("plain");
  });

  it("gives text PostgreSQL and the Anthropic API accept as JSON", () => {
    const json = JSON.stringify(repairText(`\0${LONE_HIGH}\u0001`));
    // An escaped backslash before "u0000" is the visible text, not a NUL.
    expect(json).not.toMatch(/(?<!\\)\\u0000|\\ud[89a-f][0-9a-f]{2}/i);
    expect(JSON.parse(json)).toBe(`${NUL_ESCAPE}\uFFFD\u0001`);
  });
});

describe("safeText", () => {
  it("keeps the start and the end of a long text around a note, within the limit", () => {
    const text = `START${"x".repeat(200_000)}END`;
    const cut = safeText(text, 1000);
    expect(cut.length).toBeLessThanOrEqual(1000);
    expect(cut.startsWith("START")).toBe(true);
    expect(cut.endsWith("END")).toBe(true);
    expect(cut).toMatch(/\n… \(\d+ characters cut\) …\n/);
    const counted = Number(/\((\d+) characters cut\)/.exec(cut)![1]);
    expect(counted + cut.length - /\n… \(\d+ characters cut\) …\n/.exec(cut)![0].length).toBe(text.length);
    expect(safeText(cut, 1000)).toBe(cut);
  });

  it("never leaves half a surrogate pair at a cut", () => {
    const cut = safeText("😀".repeat(10_000), 1001);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    expect(cut.endsWith("😀")).toBe(true);
  });
});

describe("storable", () => {
  it("repairs strings and keys at any depth, and keeps dates, numbers and null", () => {
    const at = new Date("2026-01-02T03:04:05Z");
    const value = { steps: [{ id: "s", startedAt: at, outputs: { "k\0": [`v\0${LONE_HIGH}`, 3, null, true] } }] };
    const safe = storable(value);
    expect(safe).toEqual({ steps: [{ id: "s", startedAt: at, outputs: { [`k${NUL_ESCAPE}`]: [`v${NUL_ESCAPE}\uFFFD`, 3, null, true] } }] });
    expect(safe.steps[0]!.startedAt).toBeInstanceOf(Date);
    expect(value.steps[0]!.outputs["k\0"]).toEqual([`v\0${LONE_HIGH}`, 3, null, true]); // not changed in place
  });

  it("bounds each string, and all of them together by cutting the longest first", () => {
    const value = { small: "keep me whole", big: "b".repeat(5_000_000), other: "o".repeat(100_000), many: Array.from({ length: 40 }, () => "m".repeat(60_000)) };
    const safe = storable(value);
    expect(safe.small).toBe("keep me whole");
    expect(safe.big.length).toBeLessThanOrEqual(80 * 1024);
    expect(safe.big).toMatch(/characters cut/);
    const total = [safe.small, safe.big, safe.other, ...safe.many].reduce((sum, s) => sum + s.length, 0);
    expect(total).toBeLessThanOrEqual(1024 * 1024);
  });

  it("turns what JSON cannot hold into what it can: bigints, cycles, toJSON", () => {
    const cycle: Record<string, unknown> = { name: "loop" };
    cycle.self = cycle;
    expect(storable({ n: 12n, cycle, url: new URL("https://example.com/a") })).toEqual({ n: "12", cycle: { name: "loop", self: "[circular]" }, url: "https://example.com/a" });
  });

  it("wellFormed repairs without cutting anything", () => {
    const long = "x".repeat(200_000);
    expect(wellFormed({ text: long, bad: `a${LONE_LOW}` })).toEqual({ text: long, bad: "a\uFFFD" });
  });
});
