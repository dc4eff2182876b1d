import { describe, expect, it } from "vitest";
import { UserFacingError } from "../../src/core/errors.js";
import { shellRun, shellRunInput } from "../../src/workflow/actions/shell.js";
import { renderValue } from "../../src/workflow/template.js";
import { sandboxedWorkspace } from "../helpers/sandbox-workspace.js";

describe("shell.run", () => {
  const shell = sandboxedWorkspace("ai-agent-shell-", {
    // Print each argument on its own line, and the environment, so the test sees what arrived.
    "show.js": "for (const a of process.argv.slice(2)) console.log(`[${a}]`); console.error(JSON.stringify(process.env));",
  });
  const run = shell.shellRun;

  it("passes a templated value as one argument, whatever it holds", async () => {
    const title = 'x"; rm -rf / #$(whoami) `id` && echo pwned';
    const input = renderValue({ run: ["node", "show.js", "{{ issue.title }}"] }, { issue: { title } });
    const outputs = await run(input);
    expect(outputs.exit_code).toBe(0);
    expect(outputs.stdout).toBe(`[${title}]\n`);
  });

  it("gives the command none of the app's secrets", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----secret",
      WEBHOOK_SECRET: "whsec_topsecret",
      ANTHROPIC_API_KEY: "sk-ant-secret",
      GITHUB_TOKEN: "ghs_secret",
      DATABASE_URL: "postgres://user:pw@db/x",
    });
    try {
      const outputs = await run({ run: ["node", "show.js"], env: { FOO: "bar" } });
      const env = JSON.parse(String(outputs.stderr)) as Record<string, string>;
      expect(env).toMatchObject({ CI: "true", FOO: "bar" });
      expect(env.PATH).toBeTruthy();
      for (const name of ["PRIVATE_KEY", "WEBHOOK_SECRET", "ANTHROPIC_API_KEY", "GITHUB_TOKEN", "DATABASE_URL"]) expect(env[name]).toBeUndefined();
      expect(String(outputs.stderr)).not.toMatch(/secret|pw@/);
    } finally {
      process.env = saved;
    }
  });

  it("fails with the exit code and the end of the output, or reports it when allowed", async () => {
    const failing = ["node", "-e", "console.error('line 1\\nassertion failed'); process.exit(3)"];
    await expect(run({ run: failing })).rejects.toThrow(new UserFacingError(`\`${failing.join(" ")}\` exited with code 3:\nline 1\nassertion failed`));
    expect(await run({ run: failing, allow_failure: true })).toMatchObject({ exit_code: 3, stderr: "line 1\nassertion failed\n" });
  });

  it("keeps the last 64 KiB of a long output", async () => {
    const outputs = await run({ run: ["node", "-e", "process.stdout.write('a'.repeat(100000) + 'END')"] });
    const stdout = String(outputs.stdout);
    expect(stdout.length).toBeLessThan(70_000);
    expect(stdout.endsWith("END")).toBe(true);
    expect(stdout).toMatch(/^…\(\d+ bytes cut\)/);
  });

  it("refuses a working directory outside the workspace and a missing program", async () => {
    await expect(run({ run: ["ls"], working_directory: "../.." })).rejects.toThrow(/outside the workspace/);
    await expect(run({ run: ["no-such-program-here"] })).rejects.toThrow('the program "no-such-program-here" was not found');
  });

  it("stops the command when the step is aborted", async () => {
    const controller = new AbortController();
    const pending = shellRun.run(shellRunInput.parse({ run: ["node", "-e", "setTimeout(() => {}, 60000)"] }), { ...shell.context(), signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toThrow(/abort/i);
  });
});
