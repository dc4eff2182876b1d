import { z } from "zod";
import type { ActionRegistry } from "./action-registry.js";

/**
 * `docs/actions.md`, written from the action registry itself (`npm run docs:actions`), so the
 * reference lists exactly the inputs each action's schema takes; a test checks the file is current.
 */

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  default?: unknown;
  enum?: unknown[];
  pattern?: string;
  additionalProperties?: JsonSchema | boolean;
}

function typeOf(schema: JsonSchema | undefined): string {
  if (!schema) return "any";
  if (schema.enum) return schema.enum.map((value) => `\`${String(value)}\``).join(" \\| ");
  if (schema.type === "array") return `list of ${typeOf(schema.items)}`;
  if (schema.type === "object") return "mapping";
  if (schema.type === "integer") return "whole number";
  if (schema.type === "string") return "text";
  if (Array.isArray(schema.type)) return schema.type.join(" or ");
  return schema.type ?? "any";
}

export function actionsMarkdown(actions: ActionRegistry): string {
  const out = [
    "# Workflow actions",
    "",
    "Generated from the actions' own schemas by `npm run docs:actions`; do not edit by hand.",
    "Every step's `uses:` names one of these (or `workflow.<name>` to call another workflow), and its",
    "`with:` is checked against the inputs below when `.github/ai-agent.yml` is loaded. A value may be a",
    "template; templated values are checked again, rendered, when the step runs.",
    "",
  ];
  for (const name of actions.names()) {
    const action = actions.get(name)!;
    const schema = z.toJSONSchema(action.input, { io: "input", unrepresentable: "any" }) as JsonSchema;
    out.push(`## \`${name}\``, "", action.description, "");
    const properties = Object.entries(schema.properties ?? {});
    if (properties.length > 0) {
      out.push("| Input | Type | Required | Default |", "| --- | --- | --- | --- |");
      for (const [input, property] of properties) {
        const required = schema.required?.includes(input) ? "yes" : "no";
        const fallback = property.default === undefined ? "" : `\`${JSON.stringify(property.default)}\``;
        out.push(`| \`${input}\` | ${typeOf(property)} | ${required} | ${fallback} |`);
      }
      out.push("");
    } else {
      out.push("No inputs.", "");
    }
    const outputs = Object.entries(action.outputs);
    out.push(outputs.length > 0 ? `Outputs: ${outputs.map(([output, what]) => `\`${output}\` (${what})`).join(", ")}.` : "No outputs.");
    out.push("", action.compensate ? "A rollback undoes it." : "A rollback leaves it as it is.", "");
  }
  return `${out.join("\n").trimEnd()}\n`;
}
