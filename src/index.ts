import type { ApplicationFunction } from "probot";
import type { Store } from "./store/types.js";
import { createHealthHandler } from "./web/health.js";

export interface AppDependencies {
  store: Store;
  role: string;
  /** Whether this process is taking jobs; null where it runs no queue. */
  queueProcessing: () => boolean | null;
}

/** The Probot app: wires handlers and HTTP routes, nothing else. */
export function createApp(deps: AppDependencies): ApplicationFunction {
  return (app, { addHandler }) => {
    addHandler(createHealthHandler(deps));
    app.on(["installation", "installation_repositories"], (context) => {
      context.log.info(
        { installation: context.payload.installation?.id, action: context.payload.action },
        "installation changed",
      );
      return Promise.resolve();
    });
  };
}
