import type { IssuesLabeledEvent } from "@octokit/webhooks-types";
import { createHmac, randomUUID } from "node:crypto";
import { createRequire } from "node:module";

interface ExampleGroup {
  name: string;
  examples: Record<string, unknown>[];
}

const require = createRequire(import.meta.url);
const groups = require("@octokit/webhooks-examples") as ExampleGroup[];

/** A real payload from @octokit/webhooks-examples, with `installation` added where it lacks one. */
export function examplePayload<T = Record<string, unknown>>(event: string, action?: string): T {
  const group = groups.find((g) => g.name === event);
  const example = group?.examples.find((e) => action === undefined || e.action === action);
  if (!example) throw new Error(`no example for ${event}${action ? `.${action}` : ""}`);
  const payload = structuredClone(example);
  payload.installation ??= { id: 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  return payload as T;
}

export function sign(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** POSTs a webhook the way GitHub does, signed with `secret` (or unsigned when it is null). */
export async function deliver(
  url: string,
  event: string,
  payload: unknown,
  secret: string | null,
  deliveryId: string = randomUUID(),
): Promise<Response> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-github-event": event,
    "x-github-delivery": deliveryId,
    "user-agent": "GitHub-Hookshot/test",
  };
  if (secret !== null) headers["x-hub-signature-256"] = sign(secret, body);
  return fetch(url, { method: "POST", headers, body });
}

/** A real `issues.labeled` payload: issue `number` labelled `ai:implement` (or `label`). */
export function labeledPayload(number: number, label = "ai:implement"): IssuesLabeledEvent {
  const payload = examplePayload<IssuesLabeledEvent>("issues", "labeled");
  payload.label!.name = label;
  payload.issue.number = number;
  return payload;
}
