import path from "node:path";
import { fileURLToPath } from "node:url";
import { createSandbox } from "./index.js";
import type { Sandbox } from "./types.js";

/** The app's own folder: never visible inside, even when installed under /usr. */
const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The server's sandbox, as the environment sets it. */
/** The sandbox settings of the server's parsed environment (config/env.ts). */
export interface SandboxSettings {
  SANDBOX: "auto" | "bubblewrap" | "host";
  SANDBOX_NETWORK: "deny" | "allow";
  SANDBOX_MAX_PROCESSES: number;
  SANDBOX_MEMORY_MB: number;
  DATA_DIR: string;
  PRIVATE_KEY_PATH?: string | undefined;
}

export function sandboxFromConfig(config: SandboxSettings): Promise<Sandbox> {
  return createSandbox({
    mode: config.SANDBOX,
    network: config.SANDBOX_NETWORK,
    maxProcesses: config.SANDBOX_MAX_PROCESSES,
    memoryBytes: config.SANDBOX_MEMORY_MB * 1024 * 1024,
    hidden: [APP_ROOT, process.cwd(), path.resolve(config.DATA_DIR), ...(config.PRIVATE_KEY_PATH ? [path.resolve(config.PRIVATE_KEY_PATH)] : [])],
  });
}
