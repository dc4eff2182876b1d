/** Writes `docs/actions.md` from the action registry: `npm run docs:actions`. */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { actionsMarkdown } from "../src/workflow/actions-doc.js";
import { builtInActions } from "../src/workflow/actions/index.js";

const target = fileURLToPath(new URL("../docs/actions.md", import.meta.url));
writeFileSync(target, actionsMarkdown(builtInActions()));
console.log(`wrote ${target}`);
