import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AgentTestApp, finishedRun, startAgentTestApp } from "../helpers/agent-app.js";
import { WEBHOOK_SECRET } from "../helpers/app-server.js";
import type { ScriptedMessage } from "../helpers/fake-anthropic.js";
import { type FakeGitHub, fakeGitHub } from "../helpers/fake-github.js";
import { deliver, labeledPayload } from "../helpers/webhooks.js";
import { getRunEvents } from "../../src/web/api/run-events.js";
import type { ApiContext } from "../../src/web/api/context.js";
import { runEvents } from "../../src/web/api/schemas.js";
import { MAX_RUN_EVENT_OUTPUT_BYTES } from "../../src/store/types.js";

/**
 * The run's event log through a whole run: a signed label webhook, the implement workflow, the
 * agent's tools driven by a scripted model against the local fake Messages API, commands in the
 * real sandbox. What the scripted calls did is recorded in order under their steps, what they
 * printed bounded, and no secret reaches the store or the API's answer.
 */

const REPO = "Codertocat/Hello-World";
const tool = (name: string, input: Record<string, unknown>): ScriptedMessage => ({ content: [{ type: "tool_use", name, input }] });
const TEST_COMMAND = `node -e "process.exit(require('fs').readFileSync('README.md','utf8').includes('tipo') ? 1 : 0)"`;
const config = `version: 1\nagent:\n  commands:\n    test: ${JSON.stringify(TEST_COMMAND)}\n`;
/** Shaped like an installation token and an Anthropic key, but never registered: only their shape gives them away. */
const UNKNOWN_GITHUB_TOKEN = "ghs_Un1dent1f1edInstallat1onT0ken01234567";
const UNKNOWN_ANTHROPIC_KEY = "sk-ant-api03-NeverRegisteredKey0123456789abcdef";

describe("a run's event log, end to end", () => {
  let agentApp: AgentTestApp;
  let github: FakeGitHub;

  beforeAll(async () => {
    agentApp = await startAgentTestApp({ prefix: "ai-agent-events-e2e-", files: { "README.md": "# Hello World\n\nThis is a tipo.\n" } });
  });
  afterAll(() => agentApp.close());
  beforeEach(() => {
    github = fakeGitHub();
    github.permissions.set("Codertocat", "write");
    github.configFiles.set("main", config);
    github.configFiles.set("master", config);
  });
  afterEach(() => {
    github.done();
    expect(agentApp.anthropic.pending()).toBe(0);
  });

  it("records the scripted tool calls and commands in order under their steps, bounded, and without secrets", async () => {
    const leak = `echo "webhook=${WEBHOOK_SECRET} github=${UNKNOWN_GITHUB_TOKEN} anthropic=${UNKNOWN_ANTHROPIC_KEY}"`;
    agentApp.anthropic.push(
      tool("submit_plan", { summary: "Fix the typo in the README.", steps: [{ title: "Correct the spelling" }], files: ["README.md"], estimate: "minutes" }),
      tool("bash", { command: leak }),
      tool("bash", { command: "head -c 1048576 /dev/zero | tr '\\0' a; echo; echo END-OF-OUTPUT" }),
      tool("str_replace_based_edit_tool", { command: "create", path: "/repo/NOTES.md", file_text: "Spelling fixed.\n" }),
      tool("str_replace_based_edit_tool", { command: "str_replace", path: "/repo/README.md", old_str: "tipo", new_str: "typo" }),
      tool("run", { command: "test" }),
      tool("finish", { summary: "Fixed the spelling of typo in README.md." }),
      tool("report_findings", { overview: "Fixes the typo.", findings: [] }),
    );
    await deliver(agentApp.app.webhookUrl, "issues", labeledPayload(31), WEBHOOK_SECRET);
    const run = await finishedRun(agentApp.app, REPO, 31);
    expect([run.status, run.error]).toEqual(["succeeded", undefined]);

    const stored = await agentApp.app.database.store.listRunEvents(run.id, { limit: 100 });
    expect(stored.map((event) => [event.seq, event.step, event.kind, event.name, event.summary])).toEqual([
      [1, "plan", "tool_call", "submit_plan", expect.stringContaining('"summary":"Fix the typo in the README."')],
      [2, "code", "tool_call", "bash", 'echo "webhook=[redacted] github=[redacted] anthropic=[redacted]"'],
      [3, "code", "tool_call", "bash", "head -c 1048576 /dev/zero | tr '\\0' a; echo; echo END-OF-OUTPUT"],
      [4, "code", "tool_call", "str_replace_based_edit_tool", "create /repo/NOTES.md"],
      [5, "code", "tool_call", "str_replace_based_edit_tool", "str_replace /repo/README.md"],
      [6, "code", "command", "test", TEST_COMMAND],
      [7, "code", "tool_call", "finish", expect.stringContaining("Fixed the spelling")],
      [8, "test", "command", "shell.run", TEST_COMMAND],
    ]);
    const [, leaked, big, created, replaced, tested, , shellRun] = stored;
    expect(leaked).toMatchObject({ output: "webhook=[redacted] github=[redacted] anthropic=[redacted]", exitCode: 0, truncated: false });
    expect(Buffer.byteLength(big!.output!)).toBeLessThanOrEqual(MAX_RUN_EVENT_OUTPUT_BYTES);
    // The shell keeps the end of what a command prints; the log keeps the start and end of that.
    expect(big!.output).toMatch(/^… \(\d+ bytes of earlier output cut\)\na+\n… \d+ bytes left out …\na+\nEND-OF-OUTPUT$/);
    expect(big).toMatchObject({ exitCode: 0, truncated: true });
    expect(created).toMatchObject({ output: "Created /repo/NOTES.md.", exitCode: null });
    expect(replaced).toMatchObject({ output: "Edited /repo/README.md." });
    expect(tested).toMatchObject({ exitCode: 0 });
    expect(tested!.output).toContain("exited with code 0");
    expect(shellRun).toMatchObject({ exitCode: 0, output: "" });
    for (const event of stored) {
      expect(event.at).toBeInstanceOf(Date);
      expect(event.durationMs).toBeGreaterThanOrEqual(0);
    }

    // The API serves the same log, a page at a time, to a person who may read the repository.
    const ctx = (query: Record<string, string>): ApiContext => ({
      caller: { login: "octocat", githubUserId: 583231, token: "gho_notusedhere", readable: new Set([REPO.toLowerCase()]), credential: { kind: "session", grant: { token: "gho_notusedhere" } } },
      params: { id: run.id },
      query,
      store: agentApp.app.database.store,
      // Reading a run's events asks GitHub nothing: the caller was checked before the route runs.
      readers: {} as ApiContext["readers"],
    });
    const first = runEvents.parse((await getRunEvents(ctx({ limit: "5" }))).body);
    const rest = runEvents.parse((await getRunEvents(ctx({ after: String(first.nextAfter), limit: "100" }))).body);
    expect([...first.events, ...rest.events].map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(rest.nextAfter).toBeNull();
    const everything = JSON.stringify(await agentApp.app.database.store.listRunEvents(run.id, { limit: 100 })) + JSON.stringify([first, rest]);
    for (const secret of [WEBHOOK_SECRET, UNKNOWN_GITHUB_TOKEN, UNKNOWN_ANTHROPIC_KEY, "ghs_fakeinstallationtoken", "sk-ant-e2e-key"]) expect(everything).not.toContain(secret);
  });
});
