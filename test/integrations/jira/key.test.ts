import { describe, expect, it } from "vitest";
import { findJiraKey, isJiraKey } from "../../../src/integrations/jira/key.js";
import { type KeySource, keySources } from "../../../src/integrations/kinds/task-tracker.js";

const writer = (text: string): KeySource => ({ text, byWriter: true });
const stranger = (text: string): KeySource => ({ text, byWriter: false });

describe("findJiraKey", () => {
  it.each<[string, KeySource[], string | undefined]>([
    ["the key of the project", [writer("ABC-12: login fails")], "ABC-12"],
    ["no key in 'Fix UTF-8 decoding' (the bug: it mirrored to UTF-8)", [writer("Fix UTF-8 decoding")], undefined],
    ["not a key of another project", [writer("XYZ-3: broken")], undefined],
    ["the project's key after another's", [writer("XYZ-3 and ABC-4")], "ABC-4"],
    ["not in lower case", [writer("abc-1 fails"), writer("Abc-1")], undefined],
    ["not inside a longer word", [writer("XABC-1 ABC-1b ABC_ABC-2 ABC-12x")], undefined],
    ["not a number with a leading zero", [writer("ABC-0 ABC-012")], undefined],
    ["in brackets and at the end of a sentence", [writer("Fix login (ABC-42).")], "ABC-42"],
    ["the longest number", [writer("ABC-123")], "ABC-123"],
    ["from a branch named after its issue", [writer("feature/ABC-7-dark-mode")], "ABC-7"],
    ["from a branch with a prefix", [writer("fix-ABC-8")], "ABC-8"],
    ["from a Jira link", [writer("See https://acme.atlassian.net/browse/ABC-9 for details")], "ABC-9"],
    ["from a Jira link at a sentence's end", [writer("Tracked in https://acme.atlassian.net/browse/ABC-9.")], "ABC-9"],
    ["from a Jira link with a query", [writer("https://acme.atlassian.net/browse/ABC-9?focusedCommentId=1")], "ABC-9"],
    ["from a Markdown Jira link", [writer("[the ticket](https://acme.atlassian.net/browse/ABC-10)")], "ABC-10"],
    ["not from another address's path", [writer("https://github.com/acme/ABC-11/blob/main/ABC-12.md")], undefined],
    ["not from an image's name", [writer("![screenshot](https://example.com/uploads/ABC-13.png)")], undefined],
    ["from the prose beside an address", [writer("https://example.com/ABC-14 is about ABC-15")], "ABC-15"],
    ["the first by position, link or prose", [writer("https://acme.atlassian.net/browse/ABC-16 then ABC-17")], "ABC-16"],
    ["not from a body by someone without write access", [writer("Login fails"), stranger("Please see ABC-99")], undefined],
    ["from the writer's text, not the stranger's before it", [stranger("ABC-98"), writer("ABC-5")], "ABC-5"],
    ["from the first source that has one", [writer("no key"), writer("ABC-6"), writer("ABC-7")], "ABC-6"],
    ["none from nothing", [], undefined],
  ])("%s", (_name, sources, expected) => {
    expect(findJiraKey(sources, "ABC")).toBe(expected);
  });

  it("takes a project key with digits and _ as Jira allows, and the UTF project's UTF-8", () => {
    expect(findJiraKey([writer("A1_B-3 done")], "A1_B")).toBe("A1_B-3");
    expect(findJiraKey([writer("Fix UTF-8 decoding")], "UTF")).toBe("UTF-8");
  });

  it("reads nothing for a project that is no Jira project key (never a pattern)", () => {
    expect(findJiraKey([writer("A.*-1 ABC-1")], "A.*")).toBeUndefined();
    expect(findJiraKey([writer("abc-1")], "abc")).toBeUndefined();
  });
});

describe("isJiraKey", () => {
  it("checks the shape, and the project when given", () => {
    expect(isJiraKey("ABC-12")).toBe(true);
    expect(isJiraKey("ABC-12", "ABC")).toBe(true);
    expect(isJiraKey("ABC-12", "XYZ")).toBe(false);
    expect(isJiraKey("UTF-8", "ABC")).toBe(false);
    for (const bad of ["abc-1", "A-1", "ABC-", "ABC-0", "ABC-12 ", " ABC-12", "ABC-12x", "1BC-2"]) expect(isJiraKey(bad)).toBe(false);
  });
});

describe("keySources", () => {
  it("marks the title, body and head branch as the author's, asking about the author once", async () => {
    const asked: string[] = [];
    const isWriter = (login: string) => (asked.push(login), Promise.resolve(login === "maintainer"));
    expect(await keySources({ title: "T", body: "B", author: "maintainer", headRef: "ABC-1-x" }, isWriter)).toEqual([writer("T"), writer("B"), writer("ABC-1-x")]);
    expect(await keySources({ title: "T", body: "B", author: "reader" }, isWriter)).toEqual([stranger("T"), stranger("B")]);
    expect(asked).toEqual(["maintainer", "reader"]);
  });

  it("counts no text of a deleted account as a writer's", async () => {
    expect(await keySources({ title: "ABC-1", body: "", author: null }, () => Promise.resolve(true))).toEqual([stranger("ABC-1"), stranger("")]);
  });
});
