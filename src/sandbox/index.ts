import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { BubblewrapSandbox, type BubblewrapSettings } from "./bubblewrap.js";
import { SandboxUnavailable } from "./errors.js";
import { HostSandbox } from "./host.js";
import type { Sandbox, SandboxStatus } from "./types.js";

export type { ExecOptions, ExecResult, Sandbox, SandboxProcess, SandboxStatus } from "./types.js";
export { SandboxPolicyError, SandboxUnavailable } from "./errors.js";
export { SANDBOX_WORKSPACE } from "./paths.js";

/**
 * Picks the execution boundary at boot. `auto` (the default) and `bubblewrap` use bwrap when a
 * real command starts in it here; otherwise no command runs at all — there is no silent fallback
 * to the host — and the steps that need one fail with what is missing and how to install it,
 * while reviews, plans and answers go on. `host` runs commands unsandboxed, on the operator's word.
 */

export interface SandboxSettings {
  mode: "auto" | "bubblewrap" | "host";
  network: "deny" | "allow";
  maxProcesses: number;
  memoryBytes: number;
  hidden: readonly string[];
  /** For tests: another bwrap binary name or path. */
  bwrap?: string;
}

const INSTALL_HINT =
  "Install bubblewrap on the server (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap; in Docker use the image and the security options in docker-compose.yml — see docs/sandbox.md), or set SANDBOX=host to run commands unsandboxed (not recommended).";

/** Stands in when no sandbox works: every command fails with the reason. */
export class NoSandbox implements Sandbox {
  readonly kind = "none" as const;
  readonly owner = undefined;

  constructor(
    readonly reason: string,
    private readonly network: "deny" | "allow",
  ) {}

  describe(): SandboxStatus {
    return { kind: this.kind, status: `unavailable: ${this.reason}`, network: this.network };
  }

  async adopt(): Promise<void> {}

  exec(): never {
    throw new SandboxUnavailable(`Commands cannot run on this server: ${this.reason}. ${INSTALL_HINT}`);
  }

  spawn(): never {
    return this.exec();
  }
}

export async function createSandbox(settings: SandboxSettings): Promise<Sandbox> {
  if (settings.mode === "host") return new HostSandbox(settings.network);
  const bwrapSettings: BubblewrapSettings = {
    bwrap: settings.bwrap ?? "bwrap",
    prlimit: "/usr/bin/prlimit",
    network: settings.network,
    maxProcesses: settings.maxProcesses,
    memoryBytes: settings.memoryBytes,
    hidden: settings.hidden,
  };
  let sandbox: BubblewrapSandbox;
  try {
    sandbox = new BubblewrapSandbox(bwrapSettings);
  } catch (error) {
    return new NoSandbox(`the sandbox's file system could not be laid out (${(error as Error).message})`, settings.network);
  }
  const problem = await probe(sandbox);
  return problem ? new NoSandbox(problem, settings.network) : sandbox;
}

/** Runs a real command in the sandbox once; undefined when it works, else what went wrong. */
async function probe(sandbox: BubblewrapSandbox): Promise<string | undefined> {
  const workspace = await mkdtemp(path.join(tmpdir(), "ai-agent-probe-"));
  try {
    await writeFile(path.join(workspace, "probe"), "ok");
    await sandbox.adopt(workspace);
    const result = await sandbox.exec(["cat", "probe"], { workspace, timeoutMs: 10_000 });
    if (result.exitCode === 0 && result.stdout === "ok") return undefined;
    const said = `${result.stderr}\n${result.stdout}`.trim().split("\n")[0] ?? "";
    if (/ENOENT|not found|No such file/i.test(said) && /bwrap|prlimit/.test(said)) return `bubblewrap (bwrap) or prlimit is not installed (${said})`;
    return `bubblewrap does not start here (${said || `exit ${result.exitCode ?? result.signal}`})`;
  } catch (error) {
    return `bubblewrap does not start here (${(error as Error).message})`;
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}
