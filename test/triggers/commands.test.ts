import { describe, expect, it } from "vitest";
import { parseSlashCommands } from "../../src/triggers/commands.js";

describe("slash commands", () => {
  it.each([
    ["/ai plan", [{ kind: "command", name: "plan", args: "" }]],
    ["/AI Plan", [{ kind: "command", name: "plan", args: "" }]],
    ["/ai", [{ kind: "command", name: "help", args: "" }]],
    ["Thanks!\n/ai review", [{ kind: "command", name: "review", args: "" }]],
    ["  /ai status  ", [{ kind: "command", name: "status", args: "" }]],
    ["/ai implement use the v2 client", [{ kind: "command", name: "implement", args: "use the v2 client" }]],
    [
      "/ai ask why does this loop\nnever end?\n\nthanks",
      [{ kind: "command", name: "ask", args: "why does this loop\nnever end?\n\nthanks" }],
    ],
    ["/ai deploy now", [{ kind: "unknown", name: "deploy", text: "deploy now" }]],
    ["/ai rename the helper\nand update its callers", [{ kind: "unknown", name: "rename", text: "rename the helper\nand update its callers" }]],
    ["@ai-agent plan", [{ kind: "command", name: "plan", args: "", mention: "ai-agent" }]],
    ["@AI-Agent[bot] implement keep it short", [{ kind: "command", name: "implement", args: "keep it short", mention: "ai-agent" }]],
    ["@ai-agent please use a Map here", [{ kind: "unknown", name: "please", text: "please use a Map here", mention: "ai-agent" }]],
    ["@ai-agent", [{ kind: "command", name: "help", args: "", mention: "ai-agent" }]],
    [
      "/ai plan\n/ai stop",
      [
        { kind: "command", name: "plan", args: "" },
        { kind: "command", name: "stop", args: "" },
      ],
    ],
    ["/ai implement\r\nkeep it small", [{ kind: "command", name: "implement", args: "keep it small" }]],
  ])("parses %j", (body, expected) => {
    expect(parseSlashCommands(body)).toEqual(expected);
  });

  it.each([
    ["mid-line", "please run /ai plan"],
    ["a longer word", "/aiplan"],
    ["a hyphenated word", "/ai-plan"],
    ["a block quote", "> /ai implement"],
    ["a nested quote", "  >> /ai implement"],
    ["a fenced block", "```\n/ai implement\n```"],
    ["a tilde fence", "~~~md\n/ai plan\n~~~"],
    ["an unclosed fence", "```\n/ai implement"],
    ["indented code", "    /ai implement"],
    ["a tab-indented line", "\t/ai implement"],
    ["an HTML comment", "<!-- /ai implement -->"],
    ["a multi-line HTML comment", "<!--\n/ai implement\n-->"],
    ["an unterminated HTML comment", "hello <!--\n/ai implement"],
    ["an empty body", ""],
    ["a mention mid-line", "thanks @ai-agent plan"],
    ["a quoted mention", "> @ai-agent implement"],
    ["an e-mail address", "someone@ai-agent.dev implement"],
  ])("ignores a command in %s", (_what, body) => {
    expect(parseSlashCommands(body)).toEqual([]);
  });

  it("finds a command after a closed fence, and keeps fenced text inside multi-line arguments", () => {
    expect(parseSlashCommands("```\n/ai stop\n```\n/ai implement\n```js\n/ai plan\n```")).toEqual([
      { kind: "command", name: "implement", args: "```js\n/ai plan\n```" },
    ]);
  });

  it("returns nothing for null or undefined bodies", () => {
    expect(parseSlashCommands(null)).toEqual([]);
    expect(parseSlashCommands(undefined)).toEqual([]);
  });
});
