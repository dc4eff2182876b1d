import type { ModelAccess } from "./model-access.js";
import type { RunEventLog } from "./run-event-log.js";
import type { RunWorkspace } from "./run-workspace.js";
import type { RunSubject } from "./subject.js";

// What the ai.* and git.push actions work with, in runs that have a coding agent: actions find it
// in their context's services.
declare module "../core/action.js" {
  interface RunServices {
    /** The issue or pull request the run is about, for the ai.* actions. */
    subject?: RunSubject;
    /** The model, within the run's budget: ai.plan, ai.implement, ai.review, ai.ask. */
    model?: ModelAccess;
    /** The run's worktree and shell: ai.plan, ai.implement, git.push, shell.run. */
    runWorkspace?: RunWorkspace;
    /** The run's event log: the agent's tool calls and the commands the run ran (ai.*, shell.run). */
    runEvents?: RunEventLog;
  }
}
