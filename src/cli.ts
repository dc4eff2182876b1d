#!/usr/bin/env node
/** The `ai-agent` command: see `src/cli/commands.ts`. */
import { cli } from "./cli/commands.js";

process.exitCode = await cli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
});
