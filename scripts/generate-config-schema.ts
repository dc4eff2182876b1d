/**
 * Writes `schema/ai-agent.schema.json` from the zod schema of `.github/ai-agent.yml`, the actions,
 * and the key tables of docs/configuration.md. Run after changing any of them: `npm run schema:generate`.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SCHEMA_FILE, jsonSchemaText, readSchemaSources } from "../src/config/repo-config-json-schema.js";
import { builtInActions } from "../src/workflow/actions/index.js";

const root = new URL("../", import.meta.url);
const target = fileURLToPath(new URL(SCHEMA_FILE, root));
writeFileSync(target, jsonSchemaText(readSchemaSources(root, builtInActions())));
console.log(`wrote ${target}`);
