import { chmod, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type SandboxSettings, createSandbox } from "../../src/sandbox/index.js";
import type { Sandbox } from "../../src/sandbox/types.js";

/**
 * The real bubblewrap sandbox for tests. A machine without it fails the tests that need it, with
 * the way to install it: a sandbox test that quietly ran on the host would prove nothing.
 */
export const TEST_SANDBOX_SETTINGS: SandboxSettings = {
  mode: "auto",
  network: "deny",
  maxProcesses: 512,
  memoryBytes: 2 * 1024 ** 3,
  hidden: [process.cwd()],
};

let shared: Promise<Sandbox> | undefined;

export async function bubblewrap(settings: Partial<SandboxSettings> = {}): Promise<Sandbox> {
  const make = async () => {
    const sandbox = await createSandbox({ ...TEST_SANDBOX_SETTINGS, ...settings });
    if (sandbox.kind !== "bubblewrap") {
      throw new Error(`these tests need bubblewrap, and ${sandbox.describe().status}. .ci/run installs it (apt-get install -y bubblewrap).`);
    }
    return sandbox;
  };
  if (Object.keys(settings).length > 0) return make();
  shared ??= make();
  return shared;
}

/**
 * A temp folder the sandbox can reach: when the tests run as root, commands run as an
 * unprivileged uid, which must be able to pass through the folders above a workspace.
 */
export async function reachableTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}
