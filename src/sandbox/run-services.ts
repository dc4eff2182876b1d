import type { Sandbox } from "./types.js";

// The sandbox is a service of every run: actions find it in their context's services.
declare module "../core/action.js" {
  interface RunServices {
    /** Where `shell.run` runs commands; the agent's when absent. */
    sandbox?: Sandbox;
  }
}
