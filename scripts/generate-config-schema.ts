/**
 * Writes `schema/ai-agent.schema.json` from the zod schema of `.github/ai-agent.yml`.
 * Run after changing `src/config/repo-config-schema.ts`: `npm run schema:generate`.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { jsonSchemaText } from "../src/config/repo-config-json-schema.js";

const target = fileURLToPath(new URL("../schema/ai-agent.schema.json", import.meta.url));
writeFileSync(target, jsonSchemaText());
console.log(`wrote ${target}`);
