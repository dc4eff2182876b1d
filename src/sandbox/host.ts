import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { commandEnvironment, workspaceRelative } from "./paths.js";
import { type ProcessSpec, runProcess, startProcess } from "./process.js";
import type { ExecOptions, ExecResult, Sandbox, SandboxProcess, SandboxStatus, SpawnOptions } from "./types.js";

/**
 * Commands on the server itself: only when the operator sets SANDBOX=host. They still get an
 * allow-listed environment, a HOME of their own, a time limit and the process-group kill, but
 * nothing keeps them from the app's files or processes; the boot log, /readyz and every tracking
 * comment say so.
 */
export class HostSandbox implements Sandbox {
  readonly kind = "host" as const;
  readonly owner = undefined;

  constructor(private readonly network: "deny" | "allow") {}

  describe(): SandboxStatus {
    return { kind: this.kind, status: "unsandboxed", network: this.network };
  }

  async adopt(): Promise<void> {}

  private spec(argv: readonly string[], options: SpawnOptions, home: string): ProcessSpec {
    const [file, ...args] = argv;
    const env = commandEnvironment(
      { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, LANG: process.env.LANG ?? "C.UTF-8", CI: "true", TMPDIR: tmpdir() },
      options.env,
    );
    return { file: file ?? "", args, cwd: path.join(options.workspace, workspaceRelative(options.cwd)), env };
  }

  async exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
    const home = await mkdtemp(path.join(tmpdir(), "ai-agent-home-"));
    try {
      return await runProcess(this.spec(argv, options, home), options);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }

  spawn(argv: readonly string[], options: SpawnOptions): SandboxProcess {
    const child = startProcess(this.spec(argv, options, tmpdir()));
    return child;
  }
}
