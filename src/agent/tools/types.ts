/** What a tool gives back to the loop. */
export interface ToolOutcome {
  /** The tool_result text the model reads. */
  content: string;
  /** A workspace-relative file the tool changed. */
  changed?: string;
  /** Set by `finish`: the agent's summary; the loop ends. */
  finished?: { summary: string };
  /** A command's exit code (null when it was killed), for the run's event log. */
  exitCode?: number | null;
}

/**
 * A problem with what the model asked for (a refused path, a missing file, bad input). The loop
 * sends it back as an error tool_result so the model can correct itself; it never ends the run.
 */
export class ToolInputError extends Error {
  override name = "ToolInputError";
}

/** A command the agent ran, for the pull request's body. */
export interface CommandRecord {
  name: string;
  command: string;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
}
