import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AppConfig } from "../config/env.js";
import { createSandbox } from "./index.js";
import type { Sandbox } from "./types.js";

/** The app's own folder: never visible inside, even when installed under /usr. */
const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The server's sandbox, as the environment sets it. */
export function sandboxFromConfig(config: Pick<AppConfig, "SANDBOX" | "SANDBOX_NETWORK" | "SANDBOX_MAX_PROCESSES" | "SANDBOX_MEMORY_MB" | "DATA_DIR" | "PRIVATE_KEY_PATH">): Promise<Sandbox> {
  return createSandbox({
    mode: config.SANDBOX,
    network: config.SANDBOX_NETWORK,
    maxProcesses: config.SANDBOX_MAX_PROCESSES,
    memoryBytes: config.SANDBOX_MEMORY_MB * 1024 * 1024,
    hidden: [APP_ROOT, process.cwd(), path.resolve(config.DATA_DIR), ...(config.PRIVATE_KEY_PATH ? [path.resolve(config.PRIVATE_KEY_PATH)] : [])],
  });
}
