/** A problem found in a configuration's workflows, where it is and what to do about it. */

export type Path = (string | number)[];

export interface WorkflowProblem {
  /** Where in the configuration, from its root: `["workflows", "implement", "steps", 2, "uses"]`. */
  path: Path;
  message: string;
  /** For a problem inside a template: its 1-based position within the template's text. */
  inTemplate?: { line: number; column: number };
  /** Point at the key at the end of `path` rather than its value (an unknown key). */
  atKey?: boolean;
}
