import type { ApplicationFunction } from "probot";
import type { Store } from "./store/types.js";
import { type WebhookIntakeDeps, createWebhookIntake } from "./triggers/webhook.js";
import { createHealthHandler } from "./web/health.js";
import { createRunsHandler } from "./web/runs-route.js";

export interface AppDependencies {
  store: Store;
  role: string;
  /** Whether this process is taking jobs; null where it runs no queue. */
  queueProcessing: () => boolean | null;
  enqueueTrigger: WebhookIntakeDeps["enqueue"];
  appId: number | undefined;
}

/** The Probot app: wires handlers and HTTP routes, nothing else. */
export function createApp(deps: AppDependencies): ApplicationFunction {
  return (app, { addHandler }) => {
    addHandler(createHealthHandler(deps));
    addHandler(createRunsHandler(deps.store));
    const intake = createWebhookIntake({ enqueue: deps.enqueueTrigger, appId: deps.appId, log: app.log });
    app.on(["issues.labeled", "issue_comment.created", "pull_request"], (context) =>
      intake({ id: context.id, name: context.name, payload: context.payload }),
    );
  };
}
