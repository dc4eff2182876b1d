import { describe, expect, it, vi } from "vitest";
import { renderPrompt } from "../../src/agent/prompts.js";
import { renderTrackingComment } from "../../src/runs/tracking-comment.js";
import { UNSANDBOXED_NOTICE, logSandbox } from "../../src/sandbox/announce.js";
import { SandboxUnavailable, createSandbox } from "../../src/sandbox/index.js";
import type { Run } from "../../src/core/run.js";
import { shellRun, shellRunInput } from "../../src/workflow/actions/shell.js";
import { TEST_SANDBOX_SETTINGS, bubblewrap, reachableTempDir } from "../helpers/sandbox.js";

/** Which boundary the server picks, and what people are told when it is not bubblewrap. */

describe("choosing the sandbox", () => {
  it("uses bubblewrap when it works here", async () => {
    expect((await bubblewrap()).describe()).toEqual({ kind: "bubblewrap", status: "working", network: "deny" });
  });

  it("never falls back to the host: without bwrap no command runs, and the message says how to fix it", async () => {
    const none = await createSandbox({ ...TEST_SANDBOX_SETTINGS, bwrap: "/nonexistent/bwrap" });
    expect(none.kind).toBe("none");
    expect(none.describe().status).toMatch(/^unavailable: bubblewrap \(bwrap\) or prlimit is not installed/);
    const workspace = await reachableTempDir("ai-agent-choice-");
    expect(() => none.exec(["true"], { workspace, timeoutMs: 1_000 })).toThrow(SandboxUnavailable);
    const context = { target: { runId: "r", owner: "o", repo: "r", number: 1, actor: "a" }, services: { workspace, sandbox: none }, signal: new AbortController().signal, emit: () => undefined };
    await expect(shellRun.run(shellRunInput.parse({ run: ["npm", "test"] }), context)).rejects.toThrow(
      /^Commands cannot run on this server: bubblewrap \(bwrap\) or prlimit is not installed .*apt-get install bubblewrap.*SANDBOX=host/,
    );
  });

  it("runs on the host only when the operator says so, and says so at boot, in /readyz and in every tracking comment", async () => {
    const host = await createSandbox({ ...TEST_SANDBOX_SETTINGS, mode: "host" });
    expect(host.describe()).toEqual({ kind: "host", status: "unsandboxed", network: "deny" });
    const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    logSandbox(host, "host", log);
    expect(log.warn).toHaveBeenCalledWith(expect.anything(), expect.stringMatching(/^SANDBOX=host: commands .* run unsandboxed/));
    const run = { id: "r1", task: "implement", actor: "octocat", createdAt: new Date(), steps: [], links: {}, costMicros: 0 } as unknown as Run;
    expect(renderTrackingComment(run, "https://x/runs/r1", undefined, new Date(), UNSANDBOXED_NOTICE)).toContain("execute **unsandboxed**");
    expect(renderTrackingComment(run, "https://x/runs/r1")).not.toContain("unsandboxed");
  });

  it("tells the agent what it has", async () => {
    const base = { repo: "acme/widgets", commands: [], network: false, protected: [".github/**"], allowed: null };
    const withShell = await renderPrompt("system-implement", { ...base, shell: true, no_sandbox: null });
    expect(withShell).toMatch(/- bash is a persistent shell in a sandbox, starting in \/repo/);
    expect(withShell).toContain("there is no network");
    const without = await renderPrompt("system-implement", { ...base, shell: false, no_sandbox: "unavailable: bwrap is not installed" });
    expect(without).not.toContain("bash is");
    expect(without).toContain("No commands can be run on this server (unavailable: bwrap is not installed)");
  });
});
