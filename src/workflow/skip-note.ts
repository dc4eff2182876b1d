import { type TemplateScope, renderValue } from "./template.js";

/**
 * Why a step's `if:` was false, said for the person reading the tracking comment. A condition made
 * of names joined by `and` (`steps.code.outputs.changed and config.agent.commands.test`) names the
 * first that does not hold, so the reader learns which one it was; any other condition is quoted.
 */

const NAME = /^[A-Za-z_]\w*(\.[A-Za-z_][\w-]*)*$/;
const CONFIG_FILE = "`.github/ai-agent.yml`";

export function skipNote(condition: string, scope: TemplateScope): string {
  const bare = condition.trim().replace(/^\{\{\s*([\s\S]*?)\s*\}\}$/, "$1").trim();
  const names = bare.split(/\s+and\s+/);
  if (names.every((name) => NAME.test(name))) {
    for (const name of names) {
      let value: unknown;
      try {
        value = renderValue(`{{ ${name} }}`, scope);
      } catch {
        break; // an unknown name: the condition as written says more than a guess
      }
      if (value === null || value === undefined) return name.startsWith("config.") ? `\`${name.slice("config.".length)}\` is not set in ${CONFIG_FILE}` : `\`${name}\` is not set`;
      if (value === false) return name.startsWith("config.") ? `\`${name.slice("config.".length)}\` is false in ${CONFIG_FILE}` : `\`${name}\` is false`;
    }
  }
  return `its condition \`${bare}\` was false`;
}
