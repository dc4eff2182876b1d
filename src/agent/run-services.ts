import type { AgentSession } from "./session.js";

// The run's coding agent is a service of runs that have one: actions find it in their context's services.
declare module "../core/action.js" {
  interface RunServices {
    /** The coding agent of this run, for the ai.* and git.push actions. */
    agent?: AgentSession;
  }
}
