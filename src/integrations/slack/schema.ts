import { z } from "zod";
import { RemoteError } from "../kinds/status.js";

/**
 * The parts of Slack Web API answers the app relies on. The client already fails on `ok: false`;
 * what is checked here is the rest: the channel and ts a message is updated and threaded by.
 */

/** chat.postMessage and chat.update: where the message is. */
export const messageAnswer = z.object({ channel: z.string().optional(), ts: z.string().optional() });

/** An answer as `schema` reads it, or an error naming the method. */
export function parseAnswer<Schema extends z.ZodType>(schema: Schema, answer: unknown, method: string): z.output<Schema> {
  const parsed = schema.safeParse(answer);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues.map((issue) => `${issue.path.join(".") || "the body"}: ${issue.message}`).join("; ");
  throw new RemoteError(200, `Slack answered ${method} with an unexpected body (${where})`);
}
