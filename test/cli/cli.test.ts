import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cli } from "../../src/cli/commands.js";

const run = promisify(execFile);

async function capture(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await cli(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("ai-agent CLI", () => {
  let dir: string;
  const file = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ai-agent-cli-"));
    await writeFile(file("good.yml"), "version: 1\nworkflows:\n  review:\n    steps:\n      - { id: r, uses: ai.review }\n");
    await writeFile(file("bad.yml"), "version: 1\nworkflows:\n  demo:\n    steps:\n      - id: a\n        uses: shell.rnu\n      - { id: b, uses: ai.plan, with: { instruction: be brief } }\n");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("validate prints file:line:col message per problem and exits 1", async () => {
    const result = await capture(["validate", file("bad.yml")]);
    expect(result.code).toBe(1);
    expect(result.err.split("\n")).toEqual([
      `${file("bad.yml")}:6:15 workflows.demo.steps[0].uses: unknown action "shell.rnu"; did you mean "shell.run"? The actions are ai.answer_threads, ai.ask, ai.fix_ci, ai.follow_up, ai.implement, ai.plan, ai.review, ai.self_review, docs.confluence.publish, docs.confluence.search, email.send, git.push, github.add_labels, github.comment, github.create_pull_request, github.create_sub_issues, github.delete_branch, jira.comment, jira.create_issue, jira.create_tasks, jira.transition, linear.comment, linear.create_issue, linear.create_tasks, linear.transition, shell.run, slack.post`,
      `${file("bad.yml")}:7:41 workflows.demo.steps[1].with.instruction: ai.plan has no input "instruction"; did you mean "instructions"? its inputs are instructions, comment`,
      "",
      `2 problems in ${file("bad.yml")}`,
    ]);
  });

  it("validate says a good file is valid and exits 0", async () => {
    expect(await capture(["validate", file("good.yml")])).toEqual({ code: 0, out: `${file("good.yml")}: valid (workflows: review)`, err: "" });
  });

  it("validate exits 2 for a missing file or a wrong command", async () => {
    expect(await capture(["validate", file("missing.yml")])).toMatchObject({ code: 2, err: `ai-agent: cannot read ${file("missing.yml")}: no such file` });
    expect((await capture(["deploy"])).code).toBe(2);
    expect((await capture([])).code).toBe(2);
    const help = await capture(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("Usage: ai-agent");
  });

  it("workflows prints the effective workflows as YAML, marking where each comes from", async () => {
    const result = await capture(["workflows", file("good.yml")]);
    expect(result.code).toBe(0);
    expect(result.out).toContain(`# review: from ${file("good.yml")}, replacing the built-in one`);
    expect(result.out).toContain("# implement: built in");
    const printed = parse(result.out) as Record<string, { steps: { id: string }[] }>;
    expect(Object.keys(printed).sort()).toEqual(["ask", "docs", "fix_ci", "follow_up", "follow_up_new_pr", "hotfix", "implement", "plan", "review"]);
    expect(printed.review!.steps.map((s) => s.id)).toEqual(["r"]);
  });

  it("runs as a program with the documented exit codes", async () => {
    const cliPath = new URL("../../src/cli.ts", import.meta.url).pathname;
    const good = await run(process.execPath, ["--import", "tsx", cliPath, "validate", file("good.yml")]);
    expect(good.stdout).toContain("valid");
    const bad = await run(process.execPath, ["--import", "tsx", cliPath, "validate", file("bad.yml")]).catch((error: { code: number; stderr: string }) => error);
    expect("code" in bad && bad.code).toBe(1);
    expect(bad.stderr).toContain(`${file("bad.yml")}:6:15 `);
  });
});
