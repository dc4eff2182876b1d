import { type Workflow, type Workflows, WORKFLOW_PROVIDER } from "../config/workflow-schema.js";
import type { Path, WorkflowProblem } from "../config/workflow-problem.js";

/** Workflows that call each other (`uses: workflow.<name>`) round in a circle never end. */
export function findCycles(workflows: Workflows, effective: Workflows): WorkflowProblem[] {
  const calls = (workflow: Workflow): { callee: string; index: number; childIndex?: number }[] => {
    const found: { callee: string; index: number; childIndex?: number }[] = [];
    workflow.steps.forEach((step, index) => {
      if (step.uses?.startsWith(`${WORKFLOW_PROVIDER}.`)) found.push({ callee: step.uses.slice(WORKFLOW_PROVIDER.length + 1), index });
      step.parallel?.forEach((child, childIndex) => {
        if (child.uses.startsWith(`${WORKFLOW_PROVIDER}.`)) found.push({ callee: child.uses.slice(WORKFLOW_PROVIDER.length + 1), index, childIndex });
      });
    });
    return found;
  };
  const problems: WorkflowProblem[] = [];
  for (const [name, workflow] of Object.entries(workflows)) {
    for (const call of calls(workflow)) {
      const route = routeBack(call.callee, name, effective, calls);
      if (!route) continue;
      const path: Path = ["workflows", name, "steps", call.index, ...(call.childIndex === undefined ? [] : ["parallel", call.childIndex]), "uses"];
      problems.push({ path, message: `workflow "${name}" calls itself: ${[name, ...route].join(" → ")}` });
    }
  }
  return problems;
}

/** The chain of calls from `from` that reaches `target`, if any. */
function routeBack(
  from: string,
  target: string,
  effective: Workflows,
  calls: (workflow: Workflow) => { callee: string }[],
  visited = new Set<string>(),
): string[] | undefined {
  if (from === target) return [from];
  if (visited.has(from)) return undefined;
  visited.add(from);
  const workflow = effective[from];
  if (!workflow) return undefined;
  for (const { callee } of calls(workflow)) {
    const rest = routeBack(callee, target, effective, calls, visited);
    if (rest) return [from, ...rest];
  }
  return undefined;
}
