import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { actionsMarkdown } from "../../src/workflow/actions-doc.js";
import { builtInActions } from "../../src/workflow/actions/index.js";

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

describe("workflow documentation", () => {
  it("docs/actions.md is what npm run docs:actions writes now", () => {
    expect(read("docs/actions.md")).toBe(actionsMarkdown(builtInActions()));
  });

  it("docs/configuration.md documents every step key and every built-in workflow", () => {
    const text = read("docs/configuration.md");
    for (const key of ["id", "name", "uses", "with", "if", "timeout", "retry", "on_error", "foreach", "parallel"]) {
      expect(text).toContain(`| \`${key}\``);
    }
    for (const key of ["description", "prerequisites", "steps", "outputs", "post.always", "post.on_success", "post.on_failure"]) {
      expect(text).toContain(`| \`${key}\``);
    }
    for (const name of ["implement", "plan", "review", "ask", "hotfix", "docs"]) expect(text).toContain(`| \`${name}\``);
  });
});
