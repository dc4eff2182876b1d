import { type ActionStep, type Step, type Workflow, type Workflows, WORKFLOW_PROVIDER } from "../config/workflow-schema.js";

import { findCycles } from "./cycles.js";

import type { Path, WorkflowProblem } from "../config/workflow-problem.js";

import type { ActionLookup } from "../core/action.js";

import { closest } from "../core/suggest.js";

import { TEMPLATE_FIELDS, fieldProblem } from "./template-fields.js";

import { TEMPLATE_ROOTS, analyzeTemplate, conditionTemplate, isTemplate } from "./template.js";


export type { Path, WorkflowProblem } from "../config/workflow-problem.js";

/**
 * What a workflow must satisfy beyond its shape, checked when the file is loaded so a mistake is
 * reported before anything runs: every `uses` names an action (or a workflow) that exists, every
 * `with` fits the action's input schema, every template parses and reads only variables that will
 * exist — `steps.<id>.outputs.<name>` only from an earlier step that declares that output — step ids
 * are unique, and workflows do not call each other in a cycle.
 */

/** Outputs of a step as templates may read them. */
interface Known {
  outputs: Set<string>;
  what: string;
}


export function checkWorkflows(workflows: Workflows, effective: Workflows, actions: ActionLookup): WorkflowProblem[] {
  const problems: WorkflowProblem[] = [];
  for (const [name, workflow] of Object.entries(workflows)) {
    problems.push(...checkWorkflow(name, workflow, effective, actions));
  }
  problems.push(...findCycles(workflows, effective));
  return problems;
}

function checkWorkflow(name: string, workflow: Workflow, effective: Workflows, actions: ActionLookup): WorkflowProblem[] {
  const base: Path = ["workflows", name];
  const problems: WorkflowProblem[] = [];
  const all = allSteps(workflow, base);

  // Unique ids across the whole workflow, post steps included.
  const seen = new Map<string, Path>();
  for (const { step, path } of all) {
    if (seen.has(step.id)) problems.push({ path: [...path, "id"], message: `the step id "${step.id}" is used twice in the workflow; step ids must be unique` });
    else seen.set(step.id, path);
  }

  const later = new Set(all.map(({ step }) => step.id));
  const available = new Map<string, Known>();
  const check = (step: ActionStep | Step, path: Path, inForeach: boolean, siblings: ReadonlySet<string> = new Set(), post = false) => {
    problems.push(...checkTemplates(step, path, available, later, inForeach, { id: step.id, siblings, post }));
  };

  for (const prerequisite of workflow.prerequisites.map((p, i) => ({ p, path: [...base, "prerequisites", i] }))) {
    problems.push(...templateProblems(conditionTemplate(prerequisite.p.if), [...prerequisite.path, "if"], available, later, false, true));
    problems.push(...templateProblems(prerequisite.p.message, [...prerequisite.path, "message"], available, later, false, false));
  }

  workflow.steps.forEach((step, index) => {
    const path = [...base, "steps", index];
    if (step.parallel) {
      check(step, path, false);
      const inner = step.parallel.map((child, childIndex) => ({ child, childPath: [...path, "parallel", childIndex] }));
      const siblings = new Set(step.parallel.map((child) => child.id));
      for (const { child, childPath } of inner) {
        problems.push(...checkAction(child, childPath, effective, actions));
        check(child, childPath, child.foreach !== undefined, siblings);
      }
      for (const { child } of inner) available.set(child.id, known(child, effective, actions));
      available.set(step.id, { outputs: new Set(), what: "parallel group" });
    } else {
      problems.push(...checkAction(step as ActionStep, path, effective, actions));
      check(step, path, step.foreach !== undefined);
      available.set(step.id, known(step as ActionStep, effective, actions));
    }
  });

  for (const phase of ["always", "on_success", "on_failure"] as const) {
    workflow.post[phase].forEach((step, index) => {
      const path = [...base, "post", phase, index];
      problems.push(...checkAction(step, path, effective, actions));
      check(step, path, step.foreach !== undefined, new Set(), true);
      available.set(step.id, known(step, effective, actions));
    });
  }

  for (const [output, template] of Object.entries(workflow.outputs ?? {})) {
    problems.push(...templateProblems(template, [...base, "outputs", output], available, later, false, false));
  }
  return problems;
}

/** Every step with its path, groups' inner steps and post steps included. */
function allSteps(workflow: Workflow, base: Path): { step: Step | ActionStep; path: Path }[] {
  const steps: { step: Step | ActionStep; path: Path }[] = [];
  workflow.steps.forEach((step, index) => {
    steps.push({ step, path: [...base, "steps", index] });
    step.parallel?.forEach((child, childIndex) => steps.push({ step: child, path: [...base, "steps", index, "parallel", childIndex] }));
  });
  for (const phase of ["always", "on_success", "on_failure"] as const) {
    workflow.post[phase].forEach((step, index) => steps.push({ step, path: [...base, "post", phase, index] }));
  }
  return steps;
}

function known(step: ActionStep, effective: Workflows, actions: ActionLookup): Known {
  if (step.foreach !== undefined) return { outputs: new Set(["results"]), what: `foreach step (${step.uses})` };
  const [provider, name = ""] = step.uses.split(".");
  if (provider === WORKFLOW_PROVIDER) return { outputs: new Set(Object.keys(effective[name]?.outputs ?? {})), what: step.uses };
  return { outputs: new Set(Object.keys(actions.get(step.uses)?.outputs ?? {})), what: step.uses };
}

function checkAction(step: ActionStep, path: Path, effective: Workflows, actions: ActionLookup): WorkflowProblem[] {
  const [provider, name = ""] = step.uses.split(".");
  if (provider === WORKFLOW_PROVIDER) {
    if (effective[name]) return [];
    const guess = closest(name, Object.keys(effective));
    return [{ path: [...path, "uses"], message: `unknown workflow "${name}"${guess ? `; did you mean "${guess}"?` : "."} The workflows are ${Object.keys(effective).sort().join(", ")}` }];
  }
  const action = actions.get(step.uses);
  if (!action) {
    const guess = closest(step.uses, actions.names());
    return [{ path: [...path, "uses"], message: `unknown action "${step.uses}"${guess ? `; did you mean "${guess}"?` : "."} The actions are ${actions.names().join(", ")}` }];
  }
  // Inputs that are templates are checked when they are rendered; the rest are checked now.
  const inputs = step.with ?? {};
  const parsed = action.input.safeParse(inputs);
  if (parsed.success) return [];
  const problems: WorkflowProblem[] = [];
  for (const issue of parsed.error.issues) {
    const issuePath = issue.path.filter((segment): segment is string | number => typeof segment !== "symbol");
    if (templatedAlong(inputs, issuePath)) continue;
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const names = inputNames(action.input);
        const guess = closest(key, names);
        problems.push({
          path: [...path, "with", ...issuePath, key],
          atKey: true,
          message: `${step.uses} has no input "${key}"; ${guess ? `did you mean "${guess}"? ` : ""}its inputs are ${names.join(", ") || "none"}`,
        });
      }
      continue;
    }
    problems.push({ path: [...path, "with", ...issuePath], message: inputMessage(step.uses, issuePath, issue.message) });
  }
  return problems;
}

const TYPE_NAMES: Record<string, string> = { boolean: "true or false", number: "a number", string: "text", array: "a list", object: "a mapping", null: "an empty value" };

/** zod's message, or a plainer one for an input left out. */
export function inputMessage(uses: string, path: Path, message: string): string {
  const name = path.at(-1);
  if (/received undefined$/.test(message) && name !== undefined) return `${uses} needs the input "${String(name)}"`;
  const wrongType = /^Invalid input: expected (\w+), received (\w+)$/.exec(message);
  if (wrongType) return `expected ${TYPE_NAMES[wrongType[1]!] ?? wrongType[1]}, not ${TYPE_NAMES[wrongType[2]!] ?? wrongType[2]}`;
  return message;
}

/** Whether the value at `path` (or one that holds it) is a template, known only at run time. */
function templatedAlong(value: unknown, path: Path): boolean {
  let current: unknown = value;
  for (const segment of path) {
    if (isTemplate(current)) return true;
    if (current === null || typeof current !== "object") return false;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return isTemplate(current);
}

function inputNames(schema: unknown): string[] {
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

function checkTemplates(
  step: Step | ActionStep,
  path: Path,
  available: Map<string, Known>,
  later: Set<string>,
  inForeach: boolean,
  self: Self,
): WorkflowProblem[] {
  const problems: WorkflowProblem[] = [];
  if (step.if !== undefined) problems.push(...templateProblems(conditionTemplate(step.if), [...path, "if"], available, later, false, true, self));
  if (typeof step.foreach === "string") problems.push(...templateProblems(step.foreach, [...path, "foreach"], available, later, false, false, self));
  const visit = (value: unknown, valuePath: Path) => {
    if (typeof value === "string") {
      if (isTemplate(value)) problems.push(...templateProblems(value, valuePath, available, later, inForeach, false, self));
    } else if (Array.isArray(value)) value.forEach((item, i) => visit(item, [...valuePath, i]));
    else if (value !== null && typeof value === "object") for (const [key, item] of Object.entries(value)) visit(item, [...valuePath, key]);
  };
  if (step.with) visit(step.with, [...path, "with"]);
  if (Array.isArray(step.foreach)) visit(step.foreach, [...path, "foreach"]);
  return problems;
}

const CONDITION_PREFIX = "{% if ".length;
const ROOTS: ReadonlySet<string> = new Set(TEMPLATE_ROOTS);

/** The step a template belongs to: its id, the steps of its parallel group, and whether it is a post step. */
interface Self {
  id: string;
  siblings: ReadonlySet<string>;
  post: boolean;
}

function templateProblems(
  text: string,
  path: Path,
  available: Map<string, Known>,
  later: Set<string>,
  inForeach: boolean,
  isCondition: boolean,
  self?: Self,
): WorkflowProblem[] {
  const analysis = analyzeTemplate(text);
  const shift = (line: number, column: number) => ({ line, column: isCondition && line === 1 ? Math.max(1, column - CONDITION_PREFIX) : column });
  if (!analysis.ok) return [{ path, message: `template error: ${analysis.message}`, inTemplate: shift(analysis.line, analysis.column) }];
  const problems: WorkflowProblem[] = [];
  for (const variable of analysis.variables) {
    const [root, id, part, output] = variable.path;
    const inTemplate = shift(variable.line, variable.column);
    const fail = (message: string) => problems.push({ path, message, inTemplate });
    if (root === null || root === undefined) continue;
    if (!ROOTS.has(root)) {
      const guess = closest(root, TEMPLATE_ROOTS);
      fail(`unknown variable "${root}"; ${guess ? `did you mean "${guess}"? ` : ""}templates can read ${TEMPLATE_ROOTS.join(", ")}`);
    } else if (root === "run" && id === "status" && !self?.post) {
      fail("run.status exists only in post steps, where the run's outcome is known");
    } else if (root in TEMPLATE_FIELDS) {
      const problem = fieldProblem(TEMPLATE_FIELDS[root as keyof typeof TEMPLATE_FIELDS], variable.path);
      if (problem) fail(problem);
    } else if ((root === "item" || root === "index") && !inForeach) {
      fail(`"${root}" exists only in the inputs of a step with foreach`);
    } else if (root === "steps" && typeof id === "string") {
      const step = available.get(id);
      if (id === self?.id) fail(`a step cannot read its own outputs (steps.${id})`);
      else if (self?.siblings.has(id)) fail(`steps.${id} runs at the same time as this step (in one parallel group), so its outputs do not exist yet`);
      else if (!step) {
        const guess = closest(id, [...later]);
        fail(later.has(id) ? `steps.${id} runs after this step, so its outputs do not exist yet` : `no step "${id}" in this workflow${guess ? `; did you mean "${guess}"?` : ""}`);
      } else if (part !== undefined && part !== null && part !== "outputs" && part !== "status") {
        const guess = closest(part, ["outputs", "status"]);
        fail(`steps.${id}.${part}: ${guess ? `did you mean steps.${id}.${guess}? ` : ""}a step has "outputs" and "status"`);
      } else if (part === "outputs" && typeof output === "string" && !step.outputs.has(output)) {
        const names = [...step.outputs].sort();
        const guess = closest(output, names);
        fail(`steps.${id} (${step.what}) has no output "${output}"; ${guess ? `did you mean "${guess}"? ` : ""}${names.length > 0 ? `its outputs are ${names.join(", ")}` : "it has no outputs"}`);
      }
    }
  }
  return problems;
}

/** Each label of `triggers.workflow_labels` names a workflow that exists and is not the implement label. */
export function checkWorkflowLabels(labels: Record<string, string>, implementLabel: string, effective: Workflows): WorkflowProblem[] {
  const problems: WorkflowProblem[] = [];
  for (const [label, workflow] of Object.entries(labels)) {
    const path = ["triggers", "workflow_labels", label];
    if (label === implementLabel) problems.push({ path, atKey: true, message: `"${label}" is the implement label; pick another label for the ${workflow} workflow` });
    if (!effective[workflow]) {
      const guess = closest(workflow, Object.keys(effective));
      problems.push({ path, message: `unknown workflow "${workflow}"${guess ? `; did you mean "${guess}"?` : "."} The workflows are ${Object.keys(effective).sort().join(", ")}` });
    }
  }
  return problems;
}
