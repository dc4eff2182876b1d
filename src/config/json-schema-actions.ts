import { z } from "zod";
import type { ActionLookup, RegisteredAction } from "../core/action.js";
import { WORKFLOW_PROVIDER } from "./workflow-schema.js";

/**
 * The parts of the JSON Schema that come from the action registry: `uses:` as the list of actions
 * (or `workflow.<name>`), and for each action the inputs its `with:` takes, applied when `uses`
 * names it. Shared by every step of the file through `$defs`, so each action is described once.
 */

export type JsonSchema = Record<string, unknown>;

export const STEP_INPUTS_DEF = "step_inputs";

/** A value that holds Liquid, known only when the step runs; the app checks it then, so the schema lets it through. */
const TEMPLATE: JsonSchema = { type: "string", pattern: "\\{\\{|\\{%", description: "A template, checked when the step runs." };

export function usesJsonSchema(actions: ActionLookup): JsonSchema {
  return {
    anyOf: [
      { type: "string", enum: actions.names() },
      {
        type: "string",
        pattern: `^${WORKFLOW_PROVIDER}\\.[a-z][a-z0-9_-]{0,63}$`,
        description: "Another workflow of this file or a built-in one; with: becomes its inputs.",
      },
    ],
  };
}

/** One `if uses is <action> then with: <its inputs>` per action. */
export function stepInputsJsonSchema(actions: ActionLookup): JsonSchema {
  return {
    description: "The inputs each action takes, by the action its uses: names.",
    allOf: actions.names().map((name) => {
      const action = actions.get(name)!;
      const inputs = inputsJsonSchema(action);
      const required = Array.isArray(inputs.required) && inputs.required.length > 0;
      return {
        if: { type: "object", properties: { uses: { const: name } }, required: ["uses"] },
        // An empty `with:` reads as no inputs, which is enough for an action that needs none.
        then: { type: "object", properties: { with: required ? inputs : { ...inputs, type: ["object", "null"] } }, ...(required ? { required: ["with"] } : {}) },
      };
    }),
  };
}

function inputsJsonSchema(action: RegisteredAction): JsonSchema {
  const generated = z.toJSONSchema(action.input, { io: "input", target: "draft-2020-12", unrepresentable: "any" }) as JsonSchema;
  const schema = { ...generated };
  delete schema.$schema;
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const [key, input] of Object.entries(properties)) properties[key] = describedInput(action.name, key, input);
  return { ...schema, description: `The inputs of ${action.name}: ${action.description}` };
}

/** The input's own description, or one naming it; its default; and a template in its place. */
function describedInput(action: string, key: string, input: JsonSchema): JsonSchema {
  const { description, default: fallback, ...rest } = input;
  const meaning = typeof description === "string" ? description : `The ${key} input of ${action}.`;
  const text = fallback === undefined ? meaning : `${meaning}\n\nDefault: ${JSON.stringify(fallback)}.`;
  const value = allowTemplates(rest);
  return { description: text, ...(fallback === undefined ? {} : { default: fallback }), ...value };
}

/** A value, or (where it is not already any string) a template that renders to it. */
function allowTemplates(schema: JsonSchema): JsonSchema {
  const inner = { ...schema };
  if (inner.items && typeof inner.items === "object") inner.items = allowTemplates(inner.items as JsonSchema);
  if (inner.properties) {
    inner.properties = Object.fromEntries(Object.entries(inner.properties as Record<string, JsonSchema>).map(([key, value]) => [key, allowTemplates(value)]));
  }
  if (inner.additionalProperties && typeof inner.additionalProperties === "object") inner.additionalProperties = allowTemplates(inner.additionalProperties as JsonSchema);
  const anyString = inner.type === "string" && Object.keys(inner).every((key) => key === "type" || key === "description");
  if (anyString || Object.keys(inner).length === 0) return inner;
  return { anyOf: [inner, TEMPLATE] };
}
