import { readFileSync } from "node:fs";

/**
 * This app's version, from its package.json: two folders up from this file both in src/core/ and,
 * once built, in lib/core/, so one relative address serves both. "unknown" if it cannot be read.
 */
export function appVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof manifest.version === "string" ? manifest.version : "unknown";
  } catch {
    return "unknown";
  }
}
