import { fileURLToPath } from "node:url";
import { Liquid } from "liquidjs";

/**
 * Renders `prompts/*.liquid`. The templates are ours (shipped beside `lib/`); the values put in
 * them come from issues and repositories, and Liquid never evaluates a value as a template, so text
 * from an issue cannot reach the engine. Strict variables catch a template naming a missing value.
 */

export const PROMPTS_DIR = fileURLToPath(new URL("../../prompts/", import.meta.url));

const engine = new Liquid({ root: PROMPTS_DIR, extname: ".liquid", strictVariables: true, strictFilters: true, cache: true });

export type PromptName =
  | "system-implement"
  | "system-plan"
  | "repository"
  | "task"
  | "follow-up"
  | "pull-request"
  | "plan-comment"
  | "review-system"
  | "review-chunk"
  | "self-review-fix"
  | "ask-system"
  | "fix-ci";

export async function renderPrompt(name: PromptName, values: Record<string, unknown>): Promise<string> {
  const text: unknown = await engine.renderFile(name, values);
  return String(text).replace(/\n{3,}/g, "\n\n").trim();
}
