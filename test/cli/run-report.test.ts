import { describe, expect, it } from "vitest";
import { runLocally } from "../../src/cli/run.js";
import { describeForLocalUser, localText } from "../../src/cli/local-report.js";
import { freePort } from "../helpers/app-process.js";
import { git } from "../helpers/git.js";
import { FIX_THE_TYPO, typoRepository } from "../helpers/typo-repository.js";

/**
 * What `ai-agent run` tells the person at the terminal: the branch it left in their repository,
 * why each skipped step was skipped, and failures in words for someone who is their own operator.
 */

/** Words that send a reader to a server they do not have. */
const SERVER_WORDS = /server|operator/i;

describe("ai-agent run's report", () => {
  // No test command: the test step is skipped for that reason.
  const project = typoRepository("ai-agent-cli-report-", { ".github/ai-agent.yml": "version: 1\n" });

  const run = async (number: number, env: NodeJS.ProcessEnv) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runLocally({ repo: project.repo, issueFile: project.issueFile, number, workflow: "implement", env, out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  it("names the branch it left and says why each step was skipped", async () => {
    project.anthropic.push(...FIX_THE_TYPO);
    const { code, out, err } = await run(4, { ANTHROPIC_API_KEY: "sk-ant-cli", ANTHROPIC_BASE_URL: project.anthropic.url });
    expect(code).toBe(0);
    const branch = git(project.repo, "branch", "--list", "ai/4-*").replace(/^[* ]+/, "");
    expect(branch).toBe("ai/4-fix-the-typo");
    expect(out).toContain(`Branch: ${branch} in ${project.repo} (see it with: git -C ${project.repo} log main..${branch})`);
    const skipped = err.split("\n").filter((line) => line.startsWith("skipped"));
    expect(skipped).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^skipped +Run the tests — `agent\.commands\.test` is not set in `\.github\/ai-agent\.yml`$/),
        expect.stringMatching(/^skipped +\S.* — github\.create_pull_request needs GitHub, which a local run does not use; the installed app runs this step$/),
      ]),
    );
    // Every skipped step says why.
    for (const line of skipped) expect(line).toMatch(/ — \S/);
    expect(`${out}\n${err}`).not.toMatch(SERVER_WORDS);
  });

  it("says why it failed in words for this machine, with the cause, and that no branch was left", async () => {
    const closed = await freePort();
    const { code, out, err } = await run(5, { ANTHROPIC_API_KEY: "sk-ant-cli", ANTHROPIC_BASE_URL: `http://127.0.0.1:${closed}` });
    expect(code).toBe(1);
    expect(out).toBe("");
    const failed = err.slice(err.indexOf("Failed:"));
    expect(failed).toMatch(/^Failed: The Anthropic API could not be reached; caused by: .+/);
    expect(failed).toContain("ECONNREFUSED");
    expect(failed).toContain(`No branch was left in ${project.repo}.`);
    expect(git(project.repo, "branch", "--list", "ai/5-*")).toBe("");
    expect(err).not.toMatch(SERVER_WORDS);
  }, 120_000);

  it("rewords every message the app writes for a server", () => {
    // The app's messages that can reach `ai-agent run`, as src/ writes them.
    const messages = [
      "The Anthropic API could not be reached; the server log has the details.",
      "The Anthropic API refused the API key (401); check ANTHROPIC_API_KEY on the server.",
      "The coding agent needs ANTHROPIC_API_KEY, and it is not set on this server.",
      "This command asks for network access, and this server's sandbox policy denies it (SANDBOX_NETWORK=deny). Ask the operator, or run the command without network.",
      "shell.run needs the server's sandbox, and this run has none.",
      "Commands cannot run on this server: bwrap is missing. Install bubblewrap on the server (Debian/Ubuntu: apt-get install bubblewrap), or set SANDBOX=host.",
      "The review stopped on an internal error; the server log has the details.",
    ];
    const local = messages.map(localText);
    for (const text of local) expect(text).not.toMatch(SERVER_WORDS);
    expect(local).toEqual([
      "The Anthropic API could not be reached.",
      "The Anthropic API refused the API key (401); check ANTHROPIC_API_KEY.",
      "The coding agent needs ANTHROPIC_API_KEY, and it is not set here.",
      "This command asks for network access, and this machine's sandbox policy denies it (SANDBOX_NETWORK=deny). Set SANDBOX_NETWORK=allow, or run the command without network.",
      "shell.run needs the sandbox, and this run has none.",
      "Commands cannot run here: bwrap is missing. Install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap), or set SANDBOX=host.",
      "The review stopped on an internal error.",
    ]);
    // An error the app keeps to its log is shown here, as it is.
    const internal = new TypeError("Cannot read properties of undefined (reading 'sha')");
    expect(describeForLocalUser(internal, "internal error")).toBe("TypeError: Cannot read properties of undefined (reading 'sha').");
  });
});
