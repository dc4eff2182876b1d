import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { type FakeAnthropic, type Script, startFakeAnthropic } from "./fake-anthropic.js";
import { git } from "./git.js";

/** The model's turns that fix the typo: a plan, the one edit, the summary, and the self-review that finds nothing. */
export const FIX_THE_TYPO: Script[] = [
  { content: [{ type: "tool_use", name: "submit_plan", input: { summary: "Fix it.", steps: [{ title: "Edit README" }], estimate: "minutes" } }] },
  { content: [{ type: "tool_use", name: "str_replace_based_edit_tool", input: { command: "str_replace", path: "README.md", old_str: "tipo", new_str: "typo" } }] },
  { content: [{ type: "tool_use", name: "finish", input: { summary: "Corrected the README." } }] },
  { content: [{ type: "tool_use", name: "report_findings", input: { overview: "Corrects a typo.", findings: [] } }] },
];

/**
 * A local repository for `ai-agent run`, in a temporary folder: `project/`, a git repository on
 * main whose one commit holds a README with a typo (and `files`, by path), `issue.md` beside it
 * asking for the fix, and a fake Anthropic API. Call it in a `describe`: it is made in that
 * describe's beforeAll and removed in its afterAll.
 */
export function typoRepository(prefix: string, files: Record<string, string> = {}) {
  let dir: string;
  let anthropic: FakeAnthropic;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), prefix));
    const repo = path.join(dir, "project");
    execFileSync("git", ["init", "-q", "-b", "main", repo]);
    await writeFile(path.join(repo, "README.md"), "This is a tipo.\n");
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(repo, file)), { recursive: true });
      await writeFile(path.join(repo, file), text);
    }
    git(repo, "add", ".");
    git(repo, "-c", "user.name=Me", "-c", "user.email=me@example.com", "commit", "-q", "-m", "init");
    await writeFile(path.join(dir, "issue.md"), "# Fix the typo\n\nThe README says tipo.\n");
    anthropic = await startFakeAnthropic();
  });
  afterAll(async () => {
    await anthropic.close();
    await rm(dir, { recursive: true, force: true });
  });

  return {
    /** The temporary folder, which is no git repository. */
    get dir(): string {
      return dir;
    },
    get repo(): string {
      return path.join(dir, "project");
    },
    get issueFile(): string {
      return path.join(dir, "issue.md");
    },
    get anthropic(): FakeAnthropic {
      return anthropic;
    },
  };
}
