import { Liquid, type TagToken } from "liquidjs";
import { UserFacingError } from "../core/errors.js";
import { splitCommand } from "../core/argv.js";

/**
 * Liquid for workflow files. Templates come from repositories, so the engine is closed off: no file
 * system (an empty in-memory template map, and `include`, `render` and `layout` refused when
 * parsed), only own properties (no `constructor` or prototype walks), limits on parse size, render
 * time and memory, and strict variables and filters, so a misspelt name is an error that names it
 * instead of an empty string.
 */

/** The variables templates can read; the engine fills them for each run. */
export const TEMPLATE_ROOTS = ["issue", "pull_request", "repo", "run", "config", "steps", "inputs", "item", "index"] as const;
export type TemplateScope = Partial<Record<(typeof TEMPLATE_ROOTS)[number], unknown>>;

/** A template that cannot be rendered; its message names the problem for the file's author. */
export class TemplateError extends UserFacingError {
  override name = "TemplateError";
}

const REFUSED_TAGS = ["include", "render", "layout"] as const;

function createEngine(): Liquid {
  const engine = new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    templates: {},
    parseLimit: 100_000,
    renderLimit: 1_000,
    memoryLimit: 16 * 1024 * 1024,
  });
  for (const tag of REFUSED_TAGS) {
    engine.registerTag(tag, {
      parse(token: TagToken) {
        throw new TemplateError(`the ${token.name} tag is not available in workflow templates; templates cannot read files`);
      },
      render() {
        return "";
      },
    });
  }
  // `{{ config.agent.commands.test | argv }}`: a command string as the argument list shell.run takes.
  engine.registerFilter("argv", (value: unknown) => {
    if (typeof value !== "string") throw new TemplateError("the argv filter takes a command written as text");
    return splitCommand(value);
  });
  return engine;
}

const engine = createEngine();

/** A Liquid error's message without liquidjs's own position suffix, which is relative to the template. */
function cleanMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/, line:\d+, col:\d+$/, "").replace(/^undefined variable: /, "unknown variable ");
}

export function renderTemplate(text: string, scope: TemplateScope): string {
  try {
    return String(engine.parseAndRenderSync(text, scope));
  } catch (error) {
    throw new TemplateError(`${cleanMessage(error)} in "${text}"`);
  }
}

/** `{{ expr }}` alone: its value keeps its type, so a list stays a list and a number a number. */
const SINGLE_OUTPUT = /^\{\{-?\s*([^{}]*?)\s*-?\}\}$/;

/** Renders every string inside `value`. */
export function renderValue(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === "string") {
    const single = SINGLE_OUTPUT.exec(value.trim());
    if (single?.[1]) {
      try {
        return engine.evalValueSync(single[1], scope) as unknown;
      } catch (error) {
        throw new TemplateError(`${cleanMessage(error)} in "${value}"`);
      }
    }
    return value.includes("{{") || value.includes("{%") ? renderTemplate(value, scope) : value;
  }
  if (Array.isArray(value)) return value.map((item) => renderValue(item, scope));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderValue(item, scope)]));
  }
  return value;
}

/** A condition as written in `if:`; `{{ … }}` around it is allowed. */
export function conditionTemplate(condition: string): string {
  const bare = condition.trim().replace(/^\{\{\s*([\s\S]*?)\s*\}\}$/, "$1");
  return `{% if ${bare} %}true{% else %}false{% endif %}`;
}

/** Liquid truth: everything but false and nil holds. */
export function evaluateCondition(condition: string, scope: TemplateScope): boolean {
  try {
    return engine.parseAndRenderSync(conditionTemplate(condition), scope) === "true";
  } catch (error) {
    throw new TemplateError(`${cleanMessage(error)} in the condition "${condition}"`);
  }
}

export interface TemplateVariable {
  /** `["steps", "plan", "outputs", "summary"]`; a computed segment (`steps[item]`) is null. */
  path: (string | null)[];
  /** 1-based, within the template text. */
  line: number;
  column: number;
}

export type TemplateAnalysis = { ok: true; variables: TemplateVariable[] } | { ok: false; message: string; line: number; column: number };

/** Parses a template without rendering it: its syntax errors, and the variables it reads. */
export function analyzeTemplate(text: string): TemplateAnalysis {
  try {
    const parsed = engine.parse(text);
    const { globals } = engine.analyzeSync(parsed);
    const variables: TemplateVariable[] = [];
    for (const uses of Object.values(globals)) {
      for (const variable of uses) {
        variables.push({
          path: variable.segments.map((segment) => (typeof segment === "string" ? segment : typeof segment === "number" ? String(segment) : null)),
          line: variable.location.row,
          column: variable.location.col,
        });
      }
    }
    return { ok: true, variables };
  } catch (error) {
    const position = /line:(\d+), col:(\d+)$/.exec(error instanceof Error ? error.message : "");
    return { ok: false, message: cleanMessage(error), line: Number(position?.[1] ?? 1), column: Number(position?.[2] ?? 1) };
  }
}

/** Whether a string holds Liquid at all. */
export function isTemplate(value: unknown): value is string {
  return typeof value === "string" && (value.includes("{{") || value.includes("{%"));
}
