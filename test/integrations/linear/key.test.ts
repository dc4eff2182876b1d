import { describe, expect, it } from "vitest";
import type { KeySource } from "../../../src/integrations/kinds/task-tracker.js";
import { findLinearKey, isLinearKey } from "../../../src/integrations/linear/key.js";

const writer = (text: string): KeySource => ({ text, byWriter: true });
const stranger = (text: string): KeySource => ({ text, byWriter: false });

describe("findLinearKey", () => {
  it.each<[string, KeySource[], string | undefined]>([
    ["the team's identifier", [writer("ENG-123: login fails")], "ENG-123"],
    ["not another team's", [writer("OPS-3 and UTF-8")], undefined],
    ["not in lower case, nor inside a longer word", [writer("eng-1 XENG-1 ENG-1b ENG-0")], undefined],
    ["from a branch named after its issue", [writer("eng/ENG-7-dark-mode")], "ENG-7"],
    ["from a Linear link", [writer("See https://linear.app/acme/issue/ENG-9/dark-mode")], "ENG-9"],
    ["not from another address's path", [writer("https://github.com/acme/ENG-11/blob/main/ENG-12.md")], undefined],
    ["not from a stranger's text", [stranger("ENG-98"), writer("no key")], undefined],
    ["from the writer's text after a stranger's", [stranger("ENG-98"), writer("ENG-5")], "ENG-5"],
  ])("%s", (_name, sources, expected) => {
    expect(findLinearKey(sources, "ENG")).toBe(expected);
  });

  it("reads nothing for a team that is no Linear team key (never a pattern)", () => {
    expect(findLinearKey([writer("E.*-1 ENG-1")], "E.*")).toBeUndefined();
  });

  it("checks an identifier's shape and team", () => {
    expect(isLinearKey("ENG-12", "ENG")).toBe(true);
    expect(isLinearKey("ENG-12", "OPS")).toBe(false);
    for (const bad of ["eng-1", "ENG-", "ENG-0", " ENG-1", "ENG-1x", "1NG-2"]) expect(isLinearKey(bad)).toBe(false);
  });
});
